#include "plan/plan.h"

#include <fmt/core.h>

#include <algorithm>
#include <map>

#include "base/error.h"
#include "plan/port_mapping.h"
#include "plan/ruleset.h"
#include "plan/traffic.h"

namespace testbed {
namespace {

using Kind = NamespacePlan::Kind;

/// A node's interface on a network, as (namespace index, interface index).
struct Member {
    size_t ns;
    size_t interface;
    LinkSpec link;  ///< the attachment's own link conditions
};

InterfacePlan interface_for(const Topology& topo, const Attachment& att) {
    InterfacePlan iface;
    iface.name = att.network;
    iface.network = att.network;
    iface.prefix = topo.find_network(att.network)->subnet.prefix;
    for (const auto& spec : att.addresses) iface.addresses.push_back(*spec.address);
    return iface;
}

Ipv4 address_on(const Router& router, const std::string& network) {
    if (router.wan.network == network) return *router.wan.addresses.front().address;
    for (const auto& lan : router.lans) {
        if (lan.network == network) return *lan.addresses.front().address;
    }
    throw Error(fmt::format("router '{}' is not on network '{}'", router.name, network));
}

/// Subnets reachable downstream through `router` without translation: its
/// lans, and recursively the lans of untranslating routers below them.
void collect_downstream(const Topology& topo, const Router& router, std::vector<Subnet>& out) {
    for (const auto& lan : router.lans) {
        out.push_back(topo.find_network(lan.network)->subnet);
        for (const auto& below : topo.routers) {
            if (below.wan.network == lan.network && !below.translates())
                collect_downstream(topo, below, out);
        }
    }
}

class Planner {
  public:
    explicit Planner(const Topology& topo) : topo_(topo) {}

    NetworkPlan run() {
        for (const auto& host : topo_.hosts) add_host(host);
        for (const auto& router : topo_.routers) add_router(router);
        add_routes_into_untranslated_subnets();
        for (const auto& net : topo_.networks) add_links(net);
        for (auto& [ns, table] : traffic_tables(topo_, plan_))
            plan_.namespaces[ns].traffic_table = std::move(table);
        return std::move(plan_);
    }

  private:
    const Topology& topo_;
    NetworkPlan plan_;
    std::map<std::string, std::vector<Member>> members_;  // network -> members

    size_t add_namespace(const std::string& name, Kind kind) {
        plan_.namespaces.push_back({name, kind, {}, {}, {}, {}, {}, {}, {}});
        return plan_.namespaces.size() - 1;
    }

    void attach(size_t ns, const Attachment& att) {
        plan_.namespaces[ns].interfaces.push_back(interface_for(topo_, att));
        members_[att.network].push_back({ns, plan_.namespaces[ns].interfaces.size() - 1, att.link});
    }

    void add_default_route(size_t ns, const std::string& network) {
        const Router* gw = topo_.router_serving(network);
        if (!gw) return;
        plan_.namespaces[ns].routes.push_back({Subnet{}, address_on(*gw, network), network});
    }

    void add_host(const Host& host) {
        const size_t ns = add_namespace(host.name, Kind::host);
        for (const auto& att : host.attachments) attach(ns, att);
        if (const std::string uplink = topo_.uplink_of(host); !uplink.empty())
            add_default_route(ns, uplink);
    }

    void add_router(const Router& router) {
        const size_t ns = add_namespace(router.name, Kind::router);
        attach(ns, router.wan);
        for (const auto& lan : router.lans) attach(ns, lan);
        add_default_route(ns, router.wan.network);
        RulesetResult result = plan_router_rules(topo_, router);
        plan_.namespaces[ns].ruleset = result.text;
        plan_.namespaces[ns].sysctls = result.sysctls;
        if (router.port_mapping) plan_.namespaces[ns].gateway_ruleset = port_mapping_table();
        for (auto& w : result.warnings) plan_.warnings.push_back(std::move(w));
    }

    /// Nodes on the wan of an untranslating router reach the subnets below it
    /// through it; translated subnets stay hidden behind their NAT.
    void add_routes_into_untranslated_subnets() {
        for (const auto& router : topo_.routers) {
            if (router.translates()) continue;
            std::vector<Subnet> below;
            collect_downstream(topo_, router, below);
            const Ipv4 via = address_on(router, router.wan.network);
            for (const Member& m : members_[router.wan.network]) {
                NamespacePlan& node = plan_.namespaces[m.ns];
                if (node.name == router.name && node.kind == Kind::router) continue;
                for (const Subnet& s : below) node.routes.push_back({s, via, router.wan.network});
            }
        }
    }

    void add_links(const Network& net) {
        const auto& members = members_[net.name];
        // A network with link conditions, in the file or from a `link`
        // step, is always bridged: its nftables rules duplicate into the
        // bridge, and each member's link is its own.
        const bool conditioned = !net.link.empty() || changed_by_steps(net.name) ||
                                 std::any_of(members.begin(), members.end(),
                                             [](const Member& m) { return !m.link.empty(); });
        if (members.size() == 2 && !conditioned &&
            !traffic_needs_bridge(topo_, plan_, members[0].ns, members[1].ns)) {
            plan_.links.push_back({net.name, end_of(members[0]), end_of(members[1])});
            return;
        }
        if (members.empty()) return;
        const size_t bridge = add_namespace(net.name, Kind::bridge);
        const size_t count = (members.size() + kPortsPerBridge - 1) / kPortsPerBridge;
        auto& bridges = plan_.namespaces[bridge].bridges;
        for (size_t k = 0; k < count; ++k) bridges.push_back(fmt::format("br{}", k));
        for (size_t k = 1; k < count; ++k) {
            plan_.links.push_back({net.name,
                                   {bridge, fmt::format("t{}a", k), bridges[0]},
                                   {bridge, fmt::format("t{}b", k), bridges[k]}});
        }
        for (size_t i = 0; i < members.size(); ++i) {
            const LinkEnd port{bridge, fmt::format("p{}", i), bridges[i / kPortsPerBridge]};
            plan_.links.push_back({net.name, end_of(members[i]), port});
            add_conditions(net, members[i], port);
        }
    }

    /// The member's link conditions (its own over the network's) and MTU.
    void add_conditions(const Network& net, const Member& m, const LinkEnd& port) {
        const LinkEnd node = end_of(m);
        const std::string& name = plan_.namespaces[m.ns].name;
        const LinkConditions out = overlay(net.link.out, m.link.out);
        if (!out.empty())
            plan_.conditioned.push_back({net.name, name, true, node, port, port.bridge, out});
        if (!m.link.in.empty())
            plan_.conditioned.push_back({net.name, name, false, port, node, "", m.link.in});
        if (const auto mtu = m.link.mtu ? m.link.mtu : net.link.mtu) {
            plan_.mtus.push_back({node, *mtu});
            plan_.mtus.push_back({port, *mtu});
        }
    }

    bool changed_by_steps(const std::string& network) const {
        return std::any_of(topo_.steps.begin(), topo_.steps.end(), [&](const Step& s) {
            const auto* link = std::get_if<LinkStep>(&s.action);
            return link && link->conditions && link->network == network;
        });
    }

    LinkEnd end_of(const Member& m) const {
        return {m.ns, plan_.namespaces[m.ns].interfaces[m.interface].name, {}};
    }
};

}  // namespace

size_t NetworkPlan::index_of(const std::string& name, NamespacePlan::Kind kind) const {
    for (size_t i = 0; i < namespaces.size(); ++i) {
        if (namespaces[i].name == name && namespaces[i].kind == kind) return i;
    }
    throw Error(fmt::format("no namespace planned for '{}'", name));
}

NetworkPlan plan_network(const Topology& topo) {
    return Planner(topo).run();
}

RulesetResult plan_router_rules(const Topology& topo, const Router& router,
                                const std::optional<NatSpec>& nat) {
    RouterRules rules;
    rules.router = router.name;
    rules.wan = router.wan.network;
    for (const auto& spec : router.wan.addresses) rules.public_addresses.push_back(*spec.address);
    for (const auto& lan : router.lans) {
        rules.lans.push_back(lan.network);
        rules.lan_subnets.push_back(topo.find_network(lan.network)->subnet);
        for (const Attachment* inside : topo.attachments_on(lan.network, router.name))
            for (const auto& spec : inside->addresses)
                rules.inside_addresses.push_back(*spec.address);
    }
    std::sort(rules.inside_addresses.begin(), rules.inside_addresses.end());
    if (nat)
        rules.nat = nat->behaviour;
    else if (router.nat)
        rules.nat = router.nat->behaviour;
    if (router.firewall) rules.firewall = *router.firewall;
    rules.port_mapping = router.port_mapping;
    rules.source_validation = router.source_validation;
    return router_ruleset(rules);
}

}  // namespace testbed
