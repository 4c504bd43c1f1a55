#include "plan/link.h"

#include <fmt/core.h>

#include <cmath>
#include <set>

namespace testbed {
namespace {

constexpr const char* kNetem = "sch_netem (CONFIG_NET_SCH_NETEM)";
constexpr const char* kNftOrNetem =
    "nftables on a netdev ingress hook (CONFIG_NF_TABLES_NETDEV, CONFIG_NFT_NUMGEN, "
    "CONFIG_NFT_DUP_NETDEV) or sch_netem (CONFIG_NET_SCH_NETEM)";

/// "numgen random mod 10000 < 150 ": true for `percent` of packets, with
/// its trailing space; empty for 100% (every packet: numgen's values stop
/// at 9999, and nftables refuses a comparison with 10000).
std::string chance(double percent) {
    const auto below = static_cast<long>(std::lround(percent * kChanceScale / 100.0));
    if (below >= kChanceScale) return {};
    return fmt::format("numgen random mod {} < {} ", kChanceScale, below);
}

std::string needs(const std::string& setting, const char* feature) {
    return fmt::format("{} needs {}", setting, feature);
}

}  // namespace

namespace {

/// What of `c` goes to a qdisc on the sending end: everything but the loss
/// and duplication nftables gives (see shape_direction).
LinkConditions qdisc_part(const LinkConditions& c, bool loss_by_qdisc, bool duplicate_by_qdisc) {
    LinkConditions q;
    q.delay = c.delay;
    q.jitter = c.jitter;
    q.reorder = c.reorder;
    q.rate = c.rate;
    if (loss_by_qdisc) {
        q.loss = c.loss;
        q.loss_correlation = c.loss_correlation;
    }
    if (duplicate_by_qdisc) q.duplicate = c.duplicate;
    return q;
}

/// Without netem: tbf for a rate alone, and the rest named as missing
/// (loss and duplication that nftables would have given, with both ways).
void without_netem(const LinkConditions& q, const LinkAbilities& abilities, bool into_bridge,
                   LinkShaping& out) {
    LinkConditions only_netem = q;
    only_netem.rate.reset();
    LinkConditions either;
    if (!abilities.nft_ingress && !q.loss_correlation) std::swap(either.loss, only_netem.loss);
    if (!abilities.nft_ingress && into_bridge) std::swap(either.duplicate, only_netem.duplicate);
    if (!only_netem.empty()) out.missing.push_back(needs(only_netem.describe(), kNetem));
    if (!either.empty()) out.missing.push_back(needs(either.describe(), kNftOrNetem));
    if (!q.rate) return;
    if (!abilities.tbf) {
        out.missing.push_back(
            needs("rate " + format_rate(*q.rate),
                  "sch_tbf (CONFIG_NET_SCH_TBF) or sch_netem (CONFIG_NET_SCH_NETEM)"));
        return;
    }
    LinkConditions rate;
    rate.rate = q.rate;
    out.qdisc = QdiscSpec{QdiscSpec::Kind::tbf, rate};
}

}  // namespace

LinkShaping shape_direction(const LinkConditions& c, const LinkAbilities& abilities,
                            const std::string& duplicate_into) {
    // Loss and duplication come from nftables on every kernel, so a file
    // means the same wherever it runs, and they spare ARP: neighbours
    // resolve as they do across a path of routers, and what is lost is
    // the path's packets, not a second of ARP retries. Correlated loss and
    // duplicating what a node receives only netem can do (it acts on every
    // packet, ARP too).
    const bool loss = c.loss && *c.loss > 0;
    const bool duplicate = c.duplicate && *c.duplicate > 0;
    const bool nft = abilities.nft_ingress;
    const bool loss_by_qdisc = loss && (c.loss_correlation.has_value() || !nft);
    const bool duplicate_by_qdisc = duplicate && (duplicate_into.empty() || !nft);
    LinkShaping out;
    if (duplicate && !duplicate_by_qdisc)
        out.ingress.push_back(fmt::format("meta protocol != arp {}dup to \"{}\"",
                                          chance(*c.duplicate), duplicate_into));
    if (loss && !loss_by_qdisc)
        out.ingress.push_back(fmt::format("meta protocol != arp {}drop", chance(*c.loss)));
    const LinkConditions q = qdisc_part(c, loss_by_qdisc, duplicate_by_qdisc);
    if (q.empty()) return out;
    if (abilities.netem)
        out.qdisc = QdiscSpec{QdiscSpec::Kind::netem, q};
    else
        without_netem(q, abilities, !duplicate_into.empty(), out);
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

namespace {

std::string ingress_chain(const std::string& device, const std::vector<std::string>& statements) {
    std::string chain = fmt::format(
        "  chain in_{0} {{\n    type filter hook ingress device \"{0}\" priority 0; policy "
        "accept;\n",
        device);
    for (const auto& statement : statements) chain += fmt::format("    {}\n", statement);
    return chain + "  }\n";
}

std::string link_table(const std::string& chains) {
    return fmt::format("table netdev {} {{\n{}}}\n", kLinkTableName, chains);
}

}  // namespace

std::map<size_t, std::string> link_ingress_tables(const NetworkPlan& plan,
                                                  const LinkAbilities& abilities) {
    std::map<size_t, std::string> chains;  // namespace -> its chains
    for (const auto& c : plan.conditioned) {
        const LinkShaping s = shape_direction(c.conditions, abilities, c.duplicate_into);
        if (!s.ingress.empty())
            chains[c.receiving.ns] += ingress_chain(c.receiving.interface, s.ingress);
    }
    std::map<size_t, std::string> tables;
    for (auto& [ns, body] : chains) tables[ns] = link_table(body);
    return tables;
}

namespace {

using EndKey = std::pair<size_t, std::string>;

EndKey key_of(const LinkEnd& end) {
    return {end.ns, end.interface};
}

/// Each sending end's qdisc under `plan`, with the end itself.
std::map<EndKey, std::pair<LinkEnd, QdiscSpec>> qdiscs_of(const NetworkPlan& plan,
                                                          const LinkAbilities& abilities) {
    std::map<EndKey, std::pair<LinkEnd, QdiscSpec>> out;
    for (const auto& c : plan.conditioned) {
        const LinkShaping s = shape_direction(c.conditions, abilities, c.duplicate_into);
        if (s.qdisc) out.insert_or_assign(key_of(c.sending), std::pair{c.sending, *s.qdisc});
    }
    return out;
}

std::map<EndKey, MtuPlan> mtus_of(const NetworkPlan& plan) {
    std::map<EndKey, MtuPlan> out;
    for (const auto& m : plan.mtus) out.insert_or_assign(key_of(m.end), m);
    return out;
}

/// Every key of two maps, once.
template <typename Map>
std::set<typename Map::key_type> keys_of(const Map& a, const Map& b) {
    std::set<typename Map::key_type> out;
    for (const auto& [k, v] : a) out.insert(k);
    for (const auto& [k, v] : b) out.insert(k);
    return out;
}

void update_qdiscs(const NetworkPlan& before, const NetworkPlan& after,
                   const LinkAbilities& abilities, LinkUpdate& out) {
    const auto was = qdiscs_of(before, abilities);
    const auto will = qdiscs_of(after, abilities);
    for (const auto& key : keys_of(was, will)) {
        const auto old = was.find(key);
        const auto next = will.find(key);
        const bool had = old != was.end();
        const bool has = next != will.end();
        if (had && has && old->second.second == next->second.second) continue;
        if (had) out.cleared.push_back(old->second.first);
        if (has) out.qdiscs.push_back(next->second);
    }
}

void update_tables(const NetworkPlan& before, const NetworkPlan& after,
                   const LinkAbilities& abilities, LinkUpdate& out) {
    const auto was = link_ingress_tables(before, abilities);
    const auto will = link_ingress_tables(after, abilities);
    for (const size_t ns : keys_of(was, will)) {
        const auto old = was.find(ns);
        const auto next = will.find(ns);
        const std::string old_text = old == was.end() ? "" : old->second;
        const std::string next_text = next == will.end() ? "" : next->second;
        if (old_text == next_text) continue;
        // One transaction: the old table goes and the new one comes.
        std::string commands =
            old_text.empty() ? "" : fmt::format("delete table netdev {}\n", kLinkTableName);
        out.tables.emplace_back(ns, commands + next_text);
    }
}

void update_mtus(const NetworkPlan& before, const NetworkPlan& after, LinkUpdate& out) {
    const auto was = mtus_of(before);
    const auto will = mtus_of(after);
    for (const auto& key : keys_of(was, will)) {
        const auto old = was.find(key);
        const auto next = will.find(key);
        const int old_mtu = old == was.end() ? kDefaultMtu : old->second.mtu;
        if (next != will.end() && next->second.mtu != old_mtu) out.mtus.push_back(next->second);
        if (next == will.end() && old_mtu != kDefaultMtu)
            out.mtus.push_back({old->second.end, kDefaultMtu});
    }
}

}  // namespace

LinkUpdate link_update(const NetworkPlan& before, const NetworkPlan& after,
                       const LinkAbilities& abilities) {
    LinkUpdate out;
    update_qdiscs(before, after, abilities, out);
    update_tables(before, after, abilities, out);
    update_mtus(before, after, out);
    return out;
}

QdiscSpec link_qdisc_probe(QdiscSpec::Kind kind) {
    LinkConditions c;
    if (kind == QdiscSpec::Kind::netem)
        c.delay = std::chrono::milliseconds(1);
    else
        c.rate = 1'000'000;
    return {kind, c};
}

std::string link_ingress_probe(const std::string& device) {
    LinkConditions c;
    c.loss = 0.01;
    c.duplicate = 0.01;
    return link_table(
        ingress_chain(device, shape_direction(c, {false, false, true}, device).ingress));
}

}  // namespace testbed
