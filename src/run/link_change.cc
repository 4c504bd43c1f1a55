#include "run/link_change.h"

#include <fmt/core.h>
#include <fmt/ranges.h>

#include <optional>
#include <set>

#include "base/error.h"
#include "plan/link.h"

namespace testbed {
namespace {

Attachment* attachment_of(std::vector<Attachment>& attachments, const std::string& network) {
    for (auto& a : attachments)
        if (a.network == network) return &a;
    return nullptr;
}

/// The LinkSpec a `link` step names in `topo`; validation made sure it exists.
LinkSpec& spec_in(Topology& topo, const std::string& network, const std::string& node) {
    if (node.empty()) {
        for (auto& n : topo.networks)
            if (n.name == network) return n.link;
    }
    for (auto& h : topo.hosts) {
        if (h.name != node) continue;
        if (Attachment* a = attachment_of(h.attachments, network)) return a->link;
    }
    for (auto& r : topo.routers) {
        if (r.name != node) continue;
        if (r.wan.network == network) return r.wan.link;
        if (Attachment* a = attachment_of(r.lans, network)) return a->link;
    }
    throw Error(fmt::format("link: no link of '{}' on network '{}'", node, network));
}

}  // namespace

LinkChanger::LinkChanger(const Topology& topo, const NetworkPlan& plan, Kernel& kernel,
                         std::function<int(size_t)> ns_id)
    : topo_(topo), plan_(plan), kernel_(kernel), ns_id_(std::move(ns_id)) {}

LinkSpec LinkChanger::set(const std::string& network, const std::string& node,
                          const LinkSpec& next) {
    LinkSpec& spec = spec_in(topo_, network, node);
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

std::vector<std::string> missing_link_conditions_of_run(
    const Topology& topo, const std::function<LinkAbilities()>& abilities) {
    std::vector<Topology> states{topo};
    for (auto& state : link_states(topo)) states.push_back(std::move(state));
    std::optional<LinkAbilities> known;
    std::set<std::string> seen;
    std::vector<std::string> out;
    for (const auto& state : states) {
        const NetworkPlan plan = plan_network(state);
        if (plan.conditioned.empty()) continue;
        if (!known) known = abilities();
        for (auto& why : missing_link_conditions(plan, *known))
            if (seen.insert(why).second) out.push_back(std::move(why));
    }
    return out;
}

std::vector<Topology> link_states(const Topology& topo) {
    std::vector<Topology> out;
    Topology current = topo;
    for (const auto& step : topo.steps) {
        const auto* link = std::get_if<LinkStep>(&step.action);
        if (!link || !link->conditions) continue;
        spec_in(current, link->network, link->node) = *link->conditions;
        out.push_back(current);
    }
    return out;
}

}  // namespace testbed
