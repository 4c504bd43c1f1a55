#include "run/preflight.h"

#include <fmt/core.h>

#include <map>
#include <optional>

#include "base/error.h"
#include "kernel/features.h"
#include "plan/plan.h"
#include "plan/port_mapping.h"
#include "plan/traffic.h"
#include "run/link_change.h"

namespace testbed {
namespace {

/// Ruleset text -> nftables' complaint (empty when it loads).
std::map<std::string, std::string>& verdicts() {
    static std::map<std::string, std::string> cache;
    return cache;
}
size_t g_checks = 0;

std::string explain(const std::string& router, const std::string& ruleset,
                    const std::string& error) {
    std::string needs;
    for (const auto& [feature, option] : ruleset_features(ruleset)) {
        needs += fmt::format("\n    {} ({})", feature, option);
    }
    return fmt::format(
        "router '{}': this kernel cannot load its NAT rules: {}\n  the rules use:{}\n  "
        "(`testbed rules FILE {}` prints them)",
        router, error, needs, router);
}

/// Ruleset text -> the first router that needs it, for one scenario: each
/// router's own (the ruleset generator alone; no network plan is needed).
std::map<std::string, std::string> rulesets_of(const Topology& topo) {
    std::map<std::string, std::string> rulesets;
    for (const auto& router : topo.routers) {
        std::string text = plan_router_rules(topo, router).text;
        if (!text.empty()) rulesets.emplace(std::move(text), router.name);
        if (router.port_mapping) rulesets.emplace(port_mapping_table(), router.name);
    }
    for (const auto& step : topo.steps) {
        if (const auto* s = std::get_if<SetNatStep>(&step.action)) {
            const Router* router = topo.find_router(s->router);
            if (router) rulesets.emplace(plan_router_rules(topo, *router, s->nat).text, s->router);
        }
    }
    return rulesets;
}

/// Dry-runs every ruleset not yet judged, in one namespace made only if needed.
void judge(const std::map<std::string, std::string>& rulesets, Kernel& kernel) {
    std::optional<int> ns;
    for (const auto& [text, router] : rulesets) {
        if (verdicts().count(text)) continue;
        if (!ns) ns = kernel.create_namespace("feature-check", {});
        ++g_checks;
        try {
            kernel.check_ruleset(*ns, text);
            verdicts()[text] = "";
        } catch (const SystemError& e) {
            verdicts()[text] = e.what();
        }
    }
    if (ns) kernel.destroy_namespace(*ns);
}

}  // namespace

std::vector<std::string> check_kernel_features(const Topology& topo, Kernel& kernel) {
    const auto rulesets = rulesets_of(topo);
    judge(rulesets, kernel);
    std::vector<std::string> errors;
    for (const auto& [text, router] : rulesets) {
        const std::string& error = verdicts().at(text);
        if (!error.empty()) errors.push_back(explain(router, text, error));
    }
    if (!topo.traffic.empty() && !kernel.link_abilities().nft_egress)
        errors.emplace_back(kTrafficNeedsEgress);
    // Link conditions this kernel cannot give (delay without netem, ...).
    for (auto& why :
         missing_link_conditions_of_run(topo, [&kernel] { return kernel.link_abilities(); }))
        errors.push_back(std::move(why));
    return errors;
}

void prime_kernel_features(const std::vector<const Topology*>& scenarios, Kernel& kernel) {
    std::map<std::string, std::string> all;
    for (const Topology* topo : scenarios) all.merge(rulesets_of(*topo));
    judge(all, kernel);
}

size_t kernel_feature_checks() {
    return g_checks;
}

void forget_kernel_features() {
    verdicts().clear();
}

}  // namespace testbed
