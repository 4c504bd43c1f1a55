#include "plan/traffic.h"

#include <fmt/core.h>
#include <fmt/ranges.h>

#include <algorithm>

namespace testbed {

int traffic_tag(const Topology& topo, const std::string& host) {
    for (size_t i = 0; i < topo.hosts.size(); ++i) {
        if (topo.hosts[i].name == host) return static_cast<int>(i) + 1;
    }
    return 0;
}

const Host* traffic_host(const Topology& topo, int tag) {
    if (tag < 1 || static_cast<size_t>(tag) > topo.hosts.size()) return nullptr;
    return &topo.hosts[static_cast<size_t>(tag) - 1];
}

std::string traffic_counter(int tag) {
    return fmt::format("from_{}", tag);
}

bool traffic_counted(const Topology& topo, const std::string& host) {
    return std::any_of(topo.traffic.begin(), topo.traffic.end(),
                       [&](const TrafficCheck& t) { return t.a == host || t.b == host; });
}

std::string traffic_ruleset(const Topology& topo, const Host& host,
                            const std::vector<std::string>& interfaces) {
    std::vector<std::string> quoted;
    quoted.reserve(interfaces.size());
    for (const auto& i : interfaces) quoted.push_back(fmt::format("\"{}\"", i));
    const std::string on = fmt::format("{{ {} }}", fmt::join(quoted, ", "));
    std::string text = fmt::format("table ip {} {{\n", kTrafficTable);
    const bool counted = traffic_counted(topo, host.name);
    if (counted) {
        for (const auto& other : topo.hosts) {
            if (other.name == host.name) continue;
            text += fmt::format("  counter {} {{ comment \"from {}\" }}\n",
                                traffic_counter(traffic_tag(topo, other.name)), other.name);
        }
    }
    // Only on the testbed's interfaces: what a program sends into a tunnel
    // of its own is inside the packets that carry it, not one of them.
    text += fmt::format(
        "  chain tag {{\n"
        "    type filter hook output priority 0; policy accept;\n"
        "    oifname {} ip dscp set {}\n"
        "  }}\n",
        on, traffic_tag(topo, host.name));
    if (counted) {
        text += fmt::format(
            "  chain count {{\n"
            "    type filter hook input priority 0; policy accept;\n");
        for (const auto& other : topo.hosts) {
            if (other.name == host.name) continue;
            const int tag = traffic_tag(topo, other.name);
            text += fmt::format("    iifname {} ip dscp {} counter name \"{}\"\n", on, tag,
                                traffic_counter(tag));
        }
        text += "  }\n";
    }
    return text + "}\n";
}

}  // namespace testbed
