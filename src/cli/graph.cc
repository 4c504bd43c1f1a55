#include <fmt/core.h>

#include <set>

#include "base/error.h"
#include "base/file.h"
#include "base/log.h"
#include "base/safe_file.h"
#include "cli/commands.h"
#include "cli/inputs.h"
#include "plan/plan.h"
#include "report/dot.h"
#include "report/svg.h"

namespace testbed {

int cmd_graph(const std::string& file, const std::string& svg_out) {
    auto topo = load_valid(file);
    if (!topo) return kExitBadInput;
    const std::string dot = topology_dot(*topo);
    if (svg_out.empty()) {
        fmt::print("{}", dot);
        return 0;
    }
    // Drawn in this process and written as a report is: never through a
    // link, never over someone else's file.
    try {
        const std::string svg = render_svg(dot);
        const Fd out = create_report_file(svg_out, 0644);
        if (!write_all(out.get(), svg)) throw_errno(fmt::format("write({})", svg_out));
    } catch (const Error& e) {
        log::error("graph --svg {}: {}", svg_out, e.what());
        return kExitEnvironment;
    }
    fmt::print("wrote {}\n", svg_out);
    return 0;
}

namespace {

/// A host has no rules of its own: its packets are tagged and counted
/// where its links end (plan/traffic.h), out of its programs' reach.
void print_host_traffic_tables(const NetworkPlan& plan, size_t host) {
    std::set<size_t> ends;
    for (const auto& link : plan.links) {
        if (link.a.ns == host) ends.insert(link.b.ns);
        if (link.b.ns == host) ends.insert(link.a.ns);
    }
    bool any = false;
    for (const size_t end : ends) {
        const auto& ns = plan.namespaces[end];
        if (ns.traffic_table.empty()) continue;
        any = true;
        fmt::print("# traffic: in {} '{}', where a link of this host ends\n{}",
                   ns.kind == NamespacePlan::Kind::bridge ? "network" : "router", ns.name,
                   ns.traffic_table);
    }
    if (!any) fmt::print("# no rules: this file has no traffic checks\n");
}

}  // namespace

int cmd_rules(const std::string& file, const std::string& node) {
    auto topo = load_valid(file);
    if (!topo) return kExitBadInput;
    // A host has rules only for `traffic:` checks (plan/traffic.h).
    const bool host = topo->find_host(node) != nullptr;
    if (!host && !topo->find_router(node)) {
        log::error("{}: no router or host '{}'", file, node);
        return kExitBadInput;
    }
    const NetworkPlan plan = plan_network(*topo);
    for (const auto& w : plan.warnings) log::warning("{}", w);
    const auto kind = host ? NamespacePlan::Kind::host : NamespacePlan::Kind::router;
    const size_t index = plan.index_of(node, kind);
    const auto& ns = plan.namespaces[index];
    if (host) {
        print_host_traffic_tables(plan, index);
        return 0;
    }
    fmt::print("{}",
               ns.ruleset.empty() ? "# no rules: this router forwards everything\n" : ns.ruleset);
    if (!ns.gateway_ruleset.empty()) {
        fmt::print(
            "# the gateway daemon's table: miniupnpd adds a rule per mapping at run time\n"
            "{}",
            ns.gateway_ruleset);
    }
    if (!ns.traffic_table.empty())
        fmt::print("# traffic: the tags and counters of the hosts' links that end here\n{}",
                   ns.traffic_table);
    return 0;
}

}  // namespace testbed
