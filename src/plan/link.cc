#include "plan/link.h"

#include <fmt/core.h>

#include <cmath>

namespace testbed {
namespace {

constexpr const char* kNetem = "sch_netem (CONFIG_NET_SCH_NETEM)";

/// "numgen random mod 10000 < 150": true for `percent` of packets.
std::string chance(double percent) {
    const auto below = static_cast<long>(std::lround(percent * kChanceScale / 100.0));
    return fmt::format("numgen random mod {} < {}", kChanceScale, below);
}

std::string needs(const std::string& setting, const char* feature) {
    return fmt::format("{} needs {}", setting, feature);
}

}  // namespace

LinkShaping shape_direction(const LinkConditions& c, const LinkAbilities& abilities,
                            const std::string& duplicate_into) {
    LinkShaping out;
    if (c.empty()) return out;
    if (abilities.netem) {
        out.qdisc = QdiscSpec{QdiscSpec::Kind::netem, c};
        return out;
    }
    LinkConditions only_netem;
    only_netem.delay = c.delay;
    only_netem.jitter = c.jitter;
    only_netem.reorder = c.reorder;
    only_netem.loss_correlation = c.loss_correlation;
    if (!only_netem.empty()) out.missing.push_back(needs(only_netem.describe(), kNetem));
    if (c.rate) {
        if (abilities.tbf) {
            LinkConditions rate;
            rate.rate = c.rate;
            out.qdisc = QdiscSpec{QdiscSpec::Kind::tbf, rate};
        } else {
            out.missing.push_back(
                needs("rate " + format_rate(*c.rate), "sch_tbf (CONFIG_NET_SCH_TBF) or sch_netem"));
        }
    }
    if (c.duplicate && *c.duplicate > 0) {
        if (duplicate_into.empty()) {
            out.missing.push_back(needs(
                fmt::format("duplicate {:g}% on what a node receives", *c.duplicate), kNetem));
        } else {
            out.ingress.push_back(
                fmt::format("{} dup to \"{}\"", chance(*c.duplicate), duplicate_into));
        }
    }
    if (c.loss && *c.loss > 0) out.ingress.push_back(chance(*c.loss) + " drop");
    return out;
}

std::vector<std::string> missing_link_conditions(const NetworkPlan& plan,
                                                 const LinkAbilities& abilities) {
    std::vector<std::string> out;
    for (const auto& c : plan.conditioned) {
        for (const auto& why : shape_direction(c.conditions, abilities, c.duplicate_into).missing) {
            out.push_back(fmt::format("network '{}', what {} {}: {}", c.network, c.node,
                                      c.outward ? "sends" : "receives", why));
        }
    }
    return out;
}

std::map<size_t, std::string> link_ingress_tables(const NetworkPlan& plan,
                                                  const LinkAbilities& abilities) {
    std::map<size_t, std::string> chains;  // namespace -> its chains
    for (const auto& c : plan.conditioned) {
        const LinkShaping s = shape_direction(c.conditions, abilities, c.duplicate_into);
        if (s.ingress.empty()) continue;
        std::string chain = fmt::format(
            "  chain in_{0} {{\n    type filter hook ingress device \"{0}\" priority 0; policy "
            "accept;\n",
            c.receiving.interface);
        for (const auto& statement : s.ingress) chain += fmt::format("    {}\n", statement);
        chains[c.receiving.ns] += chain + "  }\n";
    }
    std::map<size_t, std::string> tables;
    for (auto& [ns, body] : chains)
        tables[ns] = fmt::format("table netdev {} {{\n{}}}\n", kLinkTableName, body);
    return tables;
}

}  // namespace testbed
