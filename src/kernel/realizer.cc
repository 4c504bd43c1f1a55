#include "kernel/realizer.h"

#include <fmt/core.h>
#include <fmt/ranges.h>

#include "base/error.h"
#include "base/log.h"
#include "plan/link.h"

namespace testbed {

void Realizer::build() {
    try {
        create_namespaces();
        create_links();
        configure_interfaces();
        condition_links();
        add_routes();
        apply_rulesets();
    } catch (...) {
        teardown();
        throw;
    }
}

void Realizer::create_namespaces() {
    for (const auto& ns : plan_.namespaces) {
        // New namespaces may inherit IPv4 settings of the machine's own
        // (net.core.devconf_inherit_init_net): set each one that matters.
        // IPv4 only: no router solicitations or DAD noise in captures.
        const bool router = ns.kind == NamespacePlan::Kind::router;
        std::vector<Kernel::Sysctl> sysctls{{"net/ipv4/ip_forward", router ? "1" : "0"},
                                            {"net/ipv4/conf/all/rp_filter", "0"},
                                            {"net/ipv4/conf/default/rp_filter", "0"},
                                            {"net/ipv6/conf/all/disable_ipv6", "1"},
                                            {"net/ipv6/conf/default/disable_ipv6", "1"}};
        sysctls.insert(sysctls.end(), ns.sysctls.begin(), ns.sysctls.end());
        const int id = kernel_.create_namespace(ns.name, sysctls);
        ns_ids_.push_back(id);
        kernel_.set_link_up(id, "lo");
        for (const auto& bridge : ns.bridges) {
            kernel_.add_bridge(id, bridge);
            kernel_.set_link_up(id, bridge);
        }
    }
}

void Realizer::create_links() {
    for (const auto& link : plan_.links) {
        const int a = ns_ids_.at(link.a.ns);
        const int b = ns_ids_.at(link.b.ns);
        kernel_.add_veth(a, link.a.interface, b, link.b.interface);
        for (const auto& [ns, end] : {std::pair{a, &link.a}, std::pair{b, &link.b}}) {
            if (end->bridge.empty()) continue;
            kernel_.enslave(ns, end->interface, end->bridge);
            kernel_.set_link_up(ns, end->interface);
        }
    }
}

void Realizer::configure_interfaces() {
    for (size_t i = 0; i < plan_.namespaces.size(); ++i) {
        for (const auto& iface : plan_.namespaces[i].interfaces) {
            for (const Ipv4 address : iface.addresses) {
                kernel_.add_address(ns_ids_[i], iface.name, address, iface.prefix);
            }
            kernel_.set_link_up(ns_ids_[i], iface.name);
        }
    }
}

void Realizer::condition_links() {
    for (const auto& m : plan_.mtus) kernel_.set_mtu(ns_ids_.at(m.end.ns), m.end.interface, m.mtu);
    if (plan_.conditioned.empty()) return;
    const LinkAbilities abilities = kernel_.link_abilities();
    // The run checked before building; a condition this kernel cannot give
    // must never be left out quietly.
    if (const auto missing = missing_link_conditions(plan_, abilities); !missing.empty())
        throw Error(fmt::format("cannot give the link conditions: {}", fmt::join(missing, "; ")));
    for (const auto& c : plan_.conditioned) {
        const LinkShaping s = shape_direction(c.conditions, abilities, c.duplicate_into);
        if (s.qdisc)
            kernel_.set_link_qdisc(ns_ids_.at(c.sending.ns), c.sending.interface, *s.qdisc);
    }
    for (const auto& [ns, table] : link_ingress_tables(plan_, abilities))
        kernel_.apply_ruleset(ns_ids_.at(ns), table);
}

void Realizer::add_routes() {
    for (size_t i = 0; i < plan_.namespaces.size(); ++i) {
        for (const auto& route : plan_.namespaces[i].routes) kernel_.add_route(ns_ids_[i], route);
    }
}

void Realizer::apply_rulesets() {
    for (size_t i = 0; i < plan_.namespaces.size(); ++i) {
        if (!plan_.namespaces[i].ruleset.empty())
            kernel_.apply_ruleset(ns_ids_[i], plan_.namespaces[i].ruleset);
        if (!plan_.namespaces[i].gateway_ruleset.empty())
            kernel_.apply_ruleset(ns_ids_[i], plan_.namespaces[i].gateway_ruleset);
        if (!plan_.namespaces[i].traffic_table.empty())
            kernel_.apply_ruleset(ns_ids_[i], plan_.namespaces[i].traffic_table);
    }
}

void Realizer::teardown() noexcept {
    while (!ns_ids_.empty()) {
        try {
            kernel_.destroy_namespace(ns_ids_.back());
        } catch (const std::exception& e) {
            log::error("teardown: {}", e.what());
        }
        ns_ids_.pop_back();
    }
}

}  // namespace testbed
