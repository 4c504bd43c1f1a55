#include "model/link_preset.h"

#include <vector>

namespace testbed {
namespace {

using std::chrono::milliseconds;

struct Figures {
    int delay_ms = 0;
    int jitter_ms = 0;
    double loss_percent = 0;
    uint64_t rate = 0;
};

/// One direction. Round figures on purpose: a preset is a typical line of
/// its kind, not a particular provider's.
LinkConditions direction(const Figures& f) {
    LinkConditions c;
    c.delay = milliseconds(f.delay_ms);
    if (f.jitter_ms > 0) c.jitter = milliseconds(f.jitter_ms);
    if (f.loss_percent > 0) c.loss = f.loss_percent;
    c.rate = f.rate;
    return c;
}

constexpr uint64_t kMbit = 1'000'000;

const std::vector<LinkPreset>& table() {
    // One-way delays are half the round trips the sources report for the
    // access part of the path; rates are a common tier of each kind.
    static const std::vector<LinkPreset> kPresets = {
        {"dsl", "an ADSL2+ line", direction({.delay_ms = 15, .jitter_ms = 2, .rate = 1 * kMbit}),
         direction({.delay_ms = 15, .jitter_ms = 2, .rate = 16 * kMbit})},
        {"cable", "a DOCSIS 3.0 cable line",
         direction({.delay_ms = 8, .jitter_ms = 3, .rate = 10 * kMbit}),
         direction({.delay_ms = 8, .jitter_ms = 3, .rate = 100 * kMbit})},
        {"lte", "an LTE mobile link",
         direction({.delay_ms = 25, .jitter_ms = 10, .loss_percent = 0.5, .rate = 10 * kMbit}),
         direction({.delay_ms = 25, .jitter_ms = 10, .loss_percent = 0.5, .rate = 30 * kMbit})},
        {"satellite", "a geostationary satellite link",
         direction({.delay_ms = 300, .jitter_ms = 20, .loss_percent = 0.5, .rate = 3 * kMbit}),
         direction({.delay_ms = 300, .jitter_ms = 20, .loss_percent = 0.5, .rate = 25 * kMbit})},
        {"lossy-wifi", "a congested Wi-Fi hop",
         direction({.delay_ms = 3, .jitter_ms = 3, .loss_percent = 2, .rate = 50 * kMbit}),
         direction({.delay_ms = 3, .jitter_ms = 3, .loss_percent = 2, .rate = 50 * kMbit})},
    };
    return kPresets;
}

}  // namespace

std::span<const LinkPreset> link_presets() {
    return table();
}

const LinkPreset* find_link_preset(std::string_view name) {
    for (const auto& p : table())
        if (p.name == name) return &p;
    return nullptr;
}

std::string link_preset_names() {
    std::string out;
    for (const auto& p : table()) out += (out.empty() ? "" : ", ") + std::string(p.name);
    return out;
}

}  // namespace testbed
