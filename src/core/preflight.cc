#include "core/preflight.h"

#include <fmt/core.h>

#include <map>

#include "core/error.h"
#include "core/linux_kernel.h"

namespace testbed {

std::vector<std::pair<std::string, std::string>> ruleset_features(const std::string& ruleset) {
    static const std::vector<std::tuple<std::string, std::string, std::string>> kFeatures = {
        {"table ip", "nf_tables", "CONFIG_NF_TABLES, CONFIG_NF_TABLES_IPV4"},
        {"type nat", "NAT chains", "CONFIG_NFT_NAT, CONFIG_NF_NAT"},
        {"masquerade", "masquerade", "CONFIG_NFT_MASQ"},
        {"snat ", "source NAT to a mapped port", "CONFIG_NFT_NAT"},
        {"dnat ", "destination NAT (filtering, hairpin)", "CONFIG_NFT_NAT"},
        {"ct ", "connection tracking", "CONFIG_NF_CONNTRACK, CONFIG_NFT_CT"},
        {"numgen", "numgen (sequential ports)", "CONFIG_NFT_NUMGEN"},
        {"timeout", "sets and maps with timeouts (mapping lifetimes)", "CONFIG_NF_TABLES_SET"},
        {"update @", "sets updated from the packet path", "CONFIG_NF_TABLES_SET"},
        {"reject", "reject with tcp reset", "CONFIG_NFT_REJECT, CONFIG_NFT_REJECT_IPV4"},
    };
    std::vector<std::pair<std::string, std::string>> out;
    for (const auto& [needle, feature, option] : kFeatures) {
        if (ruleset.find(needle) != std::string::npos) out.emplace_back(feature, option);
    }
    return out;
}

namespace {

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

}  // namespace

std::vector<std::string> check_kernel_features(const Topology& topo, const NetworkPlan& plan) {
    // Each distinct ruleset once; the first router needing it names it.
    std::map<std::string, std::string> rulesets;
    for (const auto& ns : plan.namespaces) {
        if (!ns.ruleset.empty()) rulesets.emplace(ns.ruleset, ns.name);
    }
    for (const auto& step : topo.steps) {
        if (const auto* s = std::get_if<SetNatStep>(&step.action)) {
            const Router* router = topo.find_router(s->router);
            if (router) rulesets.emplace(plan_router_rules(topo, *router, s->nat).text, s->router);
        }
    }
    std::vector<std::string> errors;
    if (rulesets.empty()) return errors;
    LinuxKernel kernel;
    const int ns = kernel.create_namespace("feature-check", {});
    for (const auto& [text, router] : rulesets) {
        try {
            // Dry run: the kernel checks the whole transaction, then drops it.
            run_nft_check(kernel.fd(ns), text);
        } catch (const SystemError& e) {
            errors.push_back(explain(router, text, e.what()));
        }
    }
    kernel.destroy_namespace(ns);
    return errors;
}

}  // namespace testbed
