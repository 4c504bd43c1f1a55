#include "plan/traffic.h"

#include <fmt/core.h>

#include <algorithm>
#include <cstdio>

namespace testbed {
namespace {

using Kind = NamespacePlan::Kind;

/// Before the link conditions' ingress rules (priority 0): a duplicate
/// made there is a copy of the tagged packet.
constexpr int kTagPriority = -300;

std::string tag_chain(const std::string& device, int tag) {
    return fmt::format(
        "  chain tag_{0} {{\n"
        "    type filter hook ingress device \"{0}\" priority {1}; policy accept;\n"
        "    ip dscp set {2}\n"
        "  }}\n",
        device, kTagPriority, tag);
}

/// One namespace's table: its counters (a host with two links ending
/// here counts into the same ones) and chains.
struct TableParts {
    std::map<std::pair<int, int>, std::string> counters;  ///< (to, from) -> declaration
    std::string chains;
};

/// Counters, by sender, of what leaves `device` toward the host `receiver`.
void add_count_chain(const Topology& topo, const std::string& device, const Host& receiver,
                     TableParts& table) {
    const int to = traffic_tag(topo, receiver.name);
    std::string rules;
    for (const auto& sender : topo.hosts) {
        if (sender.name == receiver.name) continue;
        const int from = traffic_tag(topo, sender.name);
        const std::string name = traffic_counter(to, from);
        table.counters[{to, from}] = fmt::format("  counter {} {{ comment \"{} from {}\" }}\n",
                                                 name, receiver.name, sender.name);
        rules += fmt::format("    ip dscp {} counter name \"{}\"\n", from, name);
    }
    table.chains += fmt::format(
        "  chain count_{0} {{\n"
        "    type filter hook egress device \"{0}\" priority 0; policy accept;\n{1}"
        "  }}\n",
        device, rules);
}

}  // namespace

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

std::string traffic_counter(int receiver, int sender) {
    return fmt::format("to_{}_from_{}", receiver, sender);
}

std::optional<std::pair<int, int>> parse_traffic_counter(const std::string& name) {
    int receiver = 0;
    int sender = 0;
    int used = 0;
    if (std::sscanf(name.c_str(), "to_%d_from_%d%n", &receiver, &sender, &used) != 2 ||
        static_cast<size_t>(used) != name.size())
        return std::nullopt;
    return std::pair{receiver, sender};
}

bool traffic_counted(const Topology& topo, const std::string& host) {
    return std::any_of(topo.traffic.begin(), topo.traffic.end(),
                       [&](const TrafficCheck& t) { return t.a == host || t.b == host; });
}

std::string traffic_egress_probe(const std::string& device) {
    return fmt::format(
        "table netdev {}_probe {{\n"
        "  chain probe {{\n"
        "    type filter hook egress device \"{}\" priority 0; policy accept;\n"
        "  }}\n"
        "}}\n",
        kTrafficTable, device);
}

bool traffic_needs_bridge(const Topology& topo, const NetworkPlan& plan, size_t a, size_t b) {
    return !topo.traffic.empty() && plan.namespaces[a].kind == Kind::host &&
           plan.namespaces[b].kind == Kind::host;
}

std::map<size_t, std::string> traffic_tables(const Topology& topo, const NetworkPlan& plan) {
    std::map<size_t, TableParts> parts;
    if (topo.traffic.empty()) return {};
    for (const auto& link : plan.links) {
        for (const auto& [near, far] : {std::pair{link.a, link.b}, std::pair{link.b, link.a}}) {
            const NamespacePlan& host = plan.namespaces[near.ns];
            if (host.kind != Kind::host || plan.namespaces[far.ns].kind == Kind::host) continue;
            TableParts& table = parts[far.ns];
            table.chains += tag_chain(far.interface, traffic_tag(topo, host.name));
            if (traffic_counted(topo, host.name))
                add_count_chain(topo, far.interface, *topo.find_host(host.name), table);
        }
    }
    std::map<size_t, std::string> tables;
    for (const auto& [ns, table] : parts) {
        std::string text = fmt::format("table netdev {} {{\n", kTrafficTable);
        for (const auto& [numbers, declaration] : table.counters) text += declaration;
        tables[ns] = text + table.chains + "}\n";
    }
    return tables;
}

}  // namespace testbed
