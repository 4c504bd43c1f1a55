#pragma once
/// Named access links (`preset: dsl`): round figures for the lines people
/// hole-punch across, with their sources in docs/link-conditions.md. A
/// preset is seen from the subscriber's end: `up` is what that end sends,
/// `down` what it receives.

#include <span>
#include <string>
#include <string_view>

#include "model/link.h"

namespace testbed {

struct LinkPreset {
    std::string_view name;
    std::string_view what;  ///< what kind of line, for docs and messages
    LinkConditions up;
    LinkConditions down;

    bool symmetric() const { return up == down; }
};

/// Every preset, in the order the docs list them.
std::span<const LinkPreset> link_presets();
/// The preset called `name`, or nullptr.
const LinkPreset* find_link_preset(std::string_view name);
/// "dsl, cable, lte, satellite, lossy-wifi", for messages.
std::string link_preset_names();

}  // namespace testbed
