#include "run/link_change.h"

#include <fmt/core.h>
#include <fmt/ranges.h>

#include <optional>
#include <set>

#include "base/error.h"
#include "plan/link.h"

namespace testbed {

LinkSpec& link_spec_in(Topology& topo, const std::string& network, const std::string& node) {
    if (node.empty()) {
        for (auto& n : topo.networks)
            if (n.name == network) return n.link;
    } else if (Attachment* a = topo.attachment_of(node, network)) {
        return a->link;
    }
    throw Error(fmt::format("link: no link of '{}' on network '{}'", node, network));
}

std::vector<std::string> missing_link_conditions_of_run(
    const Topology& topo, const std::function<LinkAbilities()>& abilities) {
    std::optional<LinkAbilities> known;
    std::set<std::string> seen;
    std::vector<std::string> out;
    const auto judge = [&](const Topology& state) {
        const NetworkPlan plan = plan_network(state);
        if (plan.conditioned.empty()) return;
        if (!known) known = abilities();
        for (auto& why : missing_link_conditions(plan, *known))
            if (seen.insert(why).second) out.push_back(std::move(why));
    };
    judge(topo);
    // One copy, changed step by step: a copy per step grew with the
    // square of the steps (10,000 took gigabytes). A step that sets what
    // is there already makes no new state.
    Topology current = topo;
    for (const auto& step : topo.steps) {
        const auto* link = std::get_if<LinkStep>(&step.action);
        if (!link || !link->conditions) continue;
        LinkSpec& spec = link_spec_in(current, link->network, link->node);
        const LinkSpec& next = *link->conditions;
        if (spec.out == next.out && spec.in == next.in && spec.mtu == next.mtu) continue;
        spec = next;
        judge(current);
    }
    return out;
}

}  // namespace testbed
