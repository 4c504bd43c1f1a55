#include "punch/technique.h"

#include <array>

namespace testbed::punch {
namespace {

struct Row {
    Technique technique;
    std::string_view name;
    TechniqueTraits traits;
};

// small_ttl, learns_sequence, sends_raw, server_spoofs, one_side_listens, takes_turns
constexpr std::array kRows{
    Row{Technique::p2pnat, "p2pnat", {false, false, false, false, false, false}},
    Row{Technique::stunt1, "stunt1", {true, true, false, true, false, false}},
    Row{Technique::stunt2, "stunt2", {true, false, false, false, true, true}},
    Row{Technique::natblaster, "natblaster", {true, true, true, false, false, false}},
    Row{Technique::stunt1_no_ttl, "stunt1-no-ttl", {false, true, false, true, false, true}},
    Row{Technique::stunt2_no_ttl, "stunt2-no-ttl", {false, false, false, false, true, true}},
    Row{Technique::natblaster_no_ttl, "natblaster-no-ttl", {false, true, true, false, false, true}},
};

/// The techniques in the table's order (the seed's).
constexpr auto kOrder = [] {
    std::array<Technique, kRows.size()> out{};
    for (size_t i = 0; i < kRows.size(); ++i) out[i] = kRows[i].technique;
    return out;
}();

const Row& row(Technique t) {
    for (const Row& r : kRows) {
        if (r.technique == t) return r;
    }
    return kRows[0];
}

}  // namespace

std::span<const Technique> all_techniques() {
    return kOrder;
}

std::string_view technique_name(Technique t) {
    return row(t).name;
}

std::optional<Technique> technique_named(std::string_view name) {
    for (const Row& r : kRows) {
        if (r.name == name) return r.technique;
    }
    return std::nullopt;
}

std::string technique_names() {
    std::string out;
    for (const Row& r : kRows) out += (out.empty() ? "" : ", ") + std::string(r.name);
    return out;
}

TechniqueTraits traits(Technique t) {
    return row(t).traits;
}

bool needs_raw_sockets(Technique t) {
    const TechniqueTraits tr = traits(t);
    return tr.learns_sequence || tr.sends_raw;
}

bool goes_first(std::string_view me, std::string_view other) {
    return me < other;
}

std::optional<HopCount> find_hop_count(const std::function<HopAnswer(int ttl)>& probe,
                                       int max_hops) {
    for (int ttl = 1; ttl <= max_hops; ++ttl) {
        if (probe(ttl) == HopAnswer::reached) return HopCount{ttl, ttl + 1};
    }
    return std::nullopt;
}

SynAckNumbers syn_ack_numbers(uint32_t own_isn, uint32_t syn_isn) {
    return {own_isn, syn_isn + 1};
}

}  // namespace testbed::punch
