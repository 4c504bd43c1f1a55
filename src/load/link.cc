// Link conditions on a network (`home: { subnet: 10.0.1.0/24, delay: 20ms }`)
// and on one node's attachment (`alice: { home: { address: auto, loss: 1%,
// in: { rate: 10mbit } } }`): their shape and values (model/link.h).

#include <fmt/core.h>

#include <array>

#include "load/sections.h"
#include "model/link_preset.h"

namespace testbed::sections {
namespace {

constexpr std::array<std::string_view, 7> kConditionKeys{
    "delay", "jitter", "loss", "loss-correlation", "duplicate", "reorder", "rate"};

std::optional<double> percent(YamlReader& r, const YAML::Node& node, const std::string& what) {
    const auto text = r.word(node, what, "a percentage like 1%");
    if (!text) return std::nullopt;
    if (auto p = parse_percent(*text)) return p;
    r.diag().error(loc_of(node),
                   fmt::format("{}: expected a percentage from 0% to 100% like 1% or 0.5%, found "
                               "'{}'",
                               what, *text));
    return std::nullopt;
}

std::optional<Duration> delay(YamlReader& r, const YAML::Node& node, const std::string& what) {
    auto d = r.duration(node, what);
    if (d && *d > kMaxLinkDelay) {
        r.diag().error(loc_of(node),
                       fmt::format("{}: at most {}, found {}", what, format_duration(kMaxLinkDelay),
                                   format_duration(*d)));
        return std::nullopt;
    }
    return d;
}

std::optional<uint64_t> rate(YamlReader& r, const YAML::Node& node, const std::string& what) {
    const auto text = r.word(node, what, "a rate like 10mbit");
    if (!text) return std::nullopt;
    if (auto bits = parse_rate(*text)) return bits;
    r.diag().error(loc_of(node),
                   fmt::format("{}: expected a whole number of bit, kbit, mbit or gbit per second "
                               "like 10mbit, found '{}'",
                               what, *text));
    return std::nullopt;
}

/// The condition keys of `map` into `c` (keys not set there leave `c` as it was).
void read_conditions(YamlReader& r, const YAML::Node& map, const std::string& what,
                     LinkConditions& c) {
    auto at = [&](const char* key) { return fmt::format("{} {}", what, key); };
    if (auto v = map["delay"]) c.delay = delay(r, v, at("delay"));
    if (auto v = map["jitter"]) c.jitter = delay(r, v, at("jitter"));
    if (auto v = map["loss"]) c.loss = percent(r, v, at("loss"));
    if (auto v = map["loss-correlation"])
        c.loss_correlation = percent(r, v, at("loss-correlation"));
    if (auto v = map["duplicate"]) c.duplicate = percent(r, v, at("duplicate"));
    if (auto v = map["reorder"]) c.reorder = percent(r, v, at("reorder"));
    if (auto v = map["rate"]) c.rate = rate(r, v, at("rate"));
}

/// What one direction's values need of each other: jitter and reordering
/// act on a delay, a correlation on a loss.
void check_conditions(YamlReader& r, const LinkConditions& c, const SourceLoc& loc,
                      const std::string& what) {
    if (c.jitter && !c.delay) r.diag().error(loc, what + ": jitter varies a delay; give delay too");
    if (c.reorder && !c.delay)
        r.diag().error(loc, what +
                                ": reorder sends some packets ahead of delayed ones; give "
                                "delay too");
    if (c.loss_correlation && !c.loss)
        r.diag().error(loc, what + ": loss-correlation shapes a loss; give loss too");
}

/// `preset: dsl`: a named line, or nullptr after reporting an unknown name.
const LinkPreset* preset(YamlReader& r, const YAML::Node& map, const std::string& what) {
    const YAML::Node node = map["preset"];
    if (!node) return nullptr;
    const auto name = r.word(node, what + " preset", "a preset name");
    if (!name) return nullptr;
    const LinkPreset* p = find_link_preset(*name);
    if (!p)
        r.diag().error(loc_of(node), fmt::format("{} preset: unknown preset '{}' (known: {})", what,
                                                 *name, link_preset_names()));
    return p;
}

std::optional<int> mtu(YamlReader& r, const YAML::Node& map, const std::string& what) {
    if (auto v = map["mtu"]) return r.integer(v, what + " mtu", kMinMtu, kMaxMtu);
    return std::nullopt;
}

/// A network's link conditions; `keys` are what the map holds beside them
/// (subnet; nothing in a `link` step).
LinkSpec network_link(YamlReader& r, const YAML::Node& map, const std::string& what,
                      std::vector<std::string_view> keys) {
    keys.insert(keys.end(), {"mtu", "preset"});
    keys.insert(keys.end(), kConditionKeys.begin(), kConditionKeys.end());
    r.check_keys(map, keys, what);
    LinkSpec link;
    link.loc = loc_of(map);
    if (const LinkPreset* p = preset(r, map, what)) {
        // Every member's way out gets the same: only a line whose two
        // directions are alike can be a whole network.
        if (p->symmetric()) {
            link.out = p->up;
        } else {
            r.diag().error(loc_of(map["preset"]),
                           fmt::format("{} preset: {} ({}) sends and receives differently, so it "
                                       "is one node's line: put it on that node's attachment "
                                       "(e.g. a NAT's wan: {{ internet: {{ address: auto, "
                                       "preset: {} }} }})",
                                       what, p->name, p->what, p->name));
        }
    }
    read_conditions(r, map, what, link.out);
    check_conditions(r, link.out, link.loc, what);
    link.mtu = mtu(r, map, what);
    return link;
}

/// An attachment's, both directions and each; `keys` as above (address).
LinkSpec attachment_link(YamlReader& r, const YAML::Node& map, const std::string& what,
                         std::vector<std::string_view> keys) {
    keys.insert(keys.end(), {"mtu", "preset", "in", "out"});
    keys.insert(keys.end(), kConditionKeys.begin(), kConditionKeys.end());
    r.check_keys(map, keys, what);
    LinkSpec link;
    link.loc = loc_of(map);
    // A preset's up is what this node sends, its down what it receives;
    // keys beside `address` override both directions, `in` and `out` one.
    if (const LinkPreset* p = preset(r, map, what)) {
        link.out = p->up;
        link.in = p->down;
    }
    LinkConditions both;
    read_conditions(r, map, what, both);
    link.out = overlay(link.out, both);
    link.in = overlay(link.in, both);
    for (const auto& [key, direction] : {std::pair{"in", &link.in}, std::pair{"out", &link.out}}) {
        const YAML::Node node = map[key];
        if (!node) continue;
        const std::string where = fmt::format("{} {}", what, key);
        if (!r.expect_map(node, where, "a map of link conditions ({ loss: 1%, rate: 10mbit })"))
            continue;
        r.check_keys(node, kConditionKeys, where);
        read_conditions(r, node, where, *direction);
    }
    check_conditions(r, link.out, link.loc, what + " (what it sends)");
    check_conditions(r, link.in, link.loc, what + " (what it receives)");
    link.mtu = mtu(r, map, what);
    return link;
}

}  // namespace

LinkSpec read_network_link(YamlReader& r, const YAML::Node& map, const std::string& what) {
    return network_link(r, map, what, {"subnet"});
}

LinkSpec read_attachment_link(YamlReader& r, const YAML::Node& map, const std::string& what) {
    return attachment_link(r, map, what, {"address"});
}

LinkSpec read_link_change(YamlReader& r, const YAML::Node& map, const std::string& what,
                          bool attachment) {
    return attachment ? attachment_link(r, map, what, {}) : network_link(r, map, what, {});
}

}  // namespace testbed::sections
