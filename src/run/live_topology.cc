#include "run/live_topology.h"

#include <fmt/core.h>
#include <fmt/ranges.h>

#include <algorithm>

#include "base/error.h"
#include "run/link_change.h"

namespace testbed {
namespace {

bool same_route(const RoutePlan& a, const RoutePlan& b) {
    return a.destination == b.destination && a.gateway == b.gateway && a.interface == b.interface;
}

bool has_route(const std::vector<RoutePlan>& routes, const RoutePlan& r) {
    return std::any_of(routes.begin(), routes.end(),
                       [&](const RoutePlan& x) { return same_route(x, r); });
}

}  // namespace

LiveTopology::LiveTopology(const Topology& topo, const NetworkPlan& plan, Kernel& kernel,
                           std::function<int(size_t)> ns_id)
    : topo_(topo), plan_(plan), kernel_(kernel), ns_id_(std::move(ns_id)) {}

LinkSpec LiveTopology::set_link(const std::string& network, const std::string& node,
                                const LinkSpec& next) {
    LinkSpec& spec = link_spec_in(topo_, network, node);
    const LinkSpec before = spec;
    spec = next;
    NetworkPlan after = plan_network(topo_);
    const LinkAbilities abilities = kernel_.link_abilities();
    if (const auto missing = missing_link_conditions(after, abilities); !missing.empty()) {
        spec = before;
        throw Error(fmt::format("cannot give the link conditions: {}", fmt::join(missing, "; ")));
    }
    const LinkUpdate update = link_update(plan_, after, abilities);
    for (const auto& end : update.cleared) kernel_.clear_link_qdisc(ns_id_(end.ns), end.interface);
    for (const auto& [end, qdisc] : update.qdiscs)
        kernel_.set_link_qdisc(ns_id_(end.ns), end.interface, qdisc);
    for (const auto& [ns, commands] : update.tables) kernel_.apply_ruleset(ns_id_(ns), commands);
    for (const auto& m : update.mtus) kernel_.set_mtu(ns_id_(m.end.ns), m.end.interface, m.mtu);
    plan_ = std::move(after);
    return before;
}

std::pair<size_t, const InterfacePlan*> LiveTopology::interface_of(
    const std::string& node, const std::string& network) const {
    const auto kind =
        topo_.find_host(node) ? NamespacePlan::Kind::host : NamespacePlan::Kind::router;
    const size_t ns = plan_.index_of(node, kind);
    for (const auto& i : plan_.namespaces[ns].interfaces)
        if (i.network == network) return {ns, &i};
    throw Error(fmt::format("'{}' has no interface on network '{}'", node, network));
}

Ipv4 LiveTopology::renumber(const std::string& node, const std::string& network, Ipv4 to) {
    Attachment* att = topo_.attachment_of(node, network);
    if (!att || att->addresses.empty() || !att->addresses.front().address)
        throw Error(fmt::format("renumber: '{}' has no address on network '{}'", node, network));
    const Ipv4 before = *att->addresses.front().address;
    const auto [ns, interface] = interface_of(node, network);
    const std::string name = interface->name;
    const int prefix = interface->prefix;
    att->addresses.front().address = to;
    kernel_.remove_address(ns_id_(ns), name, before, prefix);
    kernel_.add_address(ns_id_(ns), name, to, prefix);
    adopt(plan_network(topo_), {ns});
    return before;
}

std::string LiveTopology::move(const std::string& host, const std::string& to) {
    auto it = std::find_if(topo_.hosts.begin(), topo_.hosts.end(),
                           [&](const Host& h) { return h.name == host; });
    if (it == topo_.hosts.end()) throw Error(fmt::format("move: unknown host '{}'", host));
    std::string from = topo_.uplink_of(*it);
    const auto [ns, leaving] = interface_of(host, from);
    const std::string arriving = interface_of(host, to).second->name;
    it->uplink = to;
    kernel_.set_link_down(ns_id_(ns), leaving->name);
    kernel_.set_link_up(ns_id_(ns), arriving);
    adopt(plan_network(topo_), {ns});
    return from;
}

void LiveTopology::set_nat(const std::string& router, const NatSpec& nat) {
    auto it = std::find_if(topo_.routers.begin(), topo_.routers.end(),
                           [&](const Router& r) { return r.name == router; });
    if (it == topo_.routers.end()) throw Error(fmt::format("set-nat: unknown router '{}'", router));
    it->nat = nat;
    adopt(plan_network(topo_), {});
}

void LiveTopology::adopt(NetworkPlan after, const std::set<size_t>& renewed) {
    for (size_t i = 0; i < after.namespaces.size(); ++i) {
        const auto& old_routes = plan_.namespaces[i].routes;
        const auto& new_routes = after.namespaces[i].routes;
        // Removals first: a replaced default route must not be taken away after.
        for (const auto& r : old_routes)
            if (!has_route(new_routes, r)) kernel_.remove_route(ns_id_(i), r);
        for (const auto& r : new_routes) {
            if (renewed.count(i) || !has_route(old_routes, r)) kernel_.replace_route(ns_id_(i), r);
        }
    }
    plan_ = std::move(after);
}

}  // namespace testbed
