// `traffic:`: verdicts from the packets themselves, per pair of hosts.

#include <fmt/core.h>
#include <fmt/ranges.h>

#include "load/sections.h"

namespace testbed::sections {

namespace {

/// The largest `min-packets`: far above what a test run sends, small enough
/// that no count overflows on the way.
constexpr int kMaxMinPackets = 100'000'000;

/// `between: [HOST, HOST]`: two different hosts of the file.
bool read_between(YamlReader& r, const YAML::Node& n, const Topology& topo, TrafficCheck& t) {
    if (!n.IsSequence() || n.size() != 2) {
        r.diag().error(loc_of(n), fmt::format("traffic between: expected a list of two hosts, "
                                              "found {}",
                                              kind_of(n)));
        return false;
    }
    std::string names[2];
    for (size_t i = 0; i < 2; ++i) {
        const auto name = r.word(n[i], "traffic between", "a host name");
        if (!name) return false;
        if (!topo.find_host(*name)) {
            r.diag().error(loc_of(n[i]),
                           fmt::format("traffic between: '{}' is not a host{}", *name,
                                       topo.find_router(*name)
                                           ? " (it is a router; traffic is judged between hosts)"
                                           : ""));
            return false;
        }
        names[i] = *name;
    }
    if (names[0] == names[1]) {
        r.diag().error(loc_of(n[1]),
                       fmt::format("traffic between: '{}' twice; expected two hosts", names[0]));
        return false;
    }
    t.a = names[0];
    t.b = names[1];
    return true;
}

/// `via: direct|relay|none`, or one ${name} a matrix fills in.
void read_via(YamlReader& r, const YAML::Node& n, TrafficCheck& t) {
    const auto via = r.word(n, "traffic via", "direct, relay or none");
    if (!via) return;
    if (!is_traffic_path(*via) && via->find("${") == std::string::npos) {
        r.diag().error(loc_of(n), fmt::format("traffic via: expected direct, relay or none "
                                              "(or a ${{name}} of the matrix), found '{}'",
                                              *via));
        return;
    }
    t.via = *via;
}

}  // namespace

void read_traffic(YamlReader& r, const YAML::Node& node, Topology& topo) {
    if (!node.IsSequence()) {
        r.diag().error(loc_of(node),
                       fmt::format("traffic: expected a list of checks such as "
                                   "{{ between: [alice, bob], via: direct }}, found {}",
                                   kind_of(node)));
        return;
    }
    if (node.size() > 0 && topo.hosts.size() > kMaxTrafficHosts) {
        r.diag().error(loc_of(node),
                       fmt::format("traffic: judged for at most {} hosts (each host's packets "
                                   "carry its number in 6 bits of DSCP); this file has {}",
                                   kMaxTrafficHosts, topo.hosts.size()));
        return;
    }
    for (const auto& entry : node) {
        if (!r.expect_map(entry, "traffic", "a map with between, via and min-packets")) continue;
        r.check_keys(entry, {"between", "via", "min-packets"}, "traffic");
        TrafficCheck t;
        t.loc = loc_of(entry);
        bool complete = true;
        for (const char* key : {"between", "via"}) {
            if (!entry[key]) {
                r.diag().error(t.loc, fmt::format("traffic: '{}' is missing", key));
                complete = false;
            }
        }
        if (!complete || !read_between(r, entry["between"], topo, t)) continue;
        read_via(r, entry["via"], t);
        if (t.via.empty()) continue;
        if (auto n = entry["min-packets"]) {
            const auto min = r.integer(n, "traffic min-packets", 1, kMaxMinPackets);
            if (!min) continue;
            t.min_packets = *min;
        }
        topo.traffic.push_back(std::move(t));
    }
}

}  // namespace testbed::sections
