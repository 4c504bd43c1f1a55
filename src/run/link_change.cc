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
        link_spec_in(current, link->network, link->node) = *link->conditions;
        out.push_back(current);
    }
    return out;
}

}  // namespace testbed
