// `nat:` (a preset or a behaviour map) and `firewall:` on a router, and the
// `to:` of a set-nat step and the values of a ROUTER.nat matrix axis.

#include <fmt/core.h>
#include <fmt/ranges.h>

#include <sstream>

#include "load/sections.h"

namespace testbed::sections {

namespace {

/// `ports: preserve | random | sequential | { sequential: STEP }`.
void read_ports(YamlReader& r, const YAML::Node& node, const std::string& what, NatBehaviour& b) {
    if (node.IsMap() && node.size() == 1 && node["sequential"]) {
        b.ports = PortAssignment::sequential;
        if (auto step = r.integer(node["sequential"], what + " ports sequential step", 1, 1000))
            b.port_step = *step;
        return;
    }
    const auto word_text =
        r.word(node, what + " ports", "preserve, sequential, random or { sequential: STEP }");
    if (!word_text) return;
    const std::string& text = *word_text;
    if (auto p = parse_port_assignment(text)) {
        b.ports = *p;
    } else {
        r.diag().error(loc_of(node),
                       fmt::format("{} ports: expected preserve, sequential, random or "
                                   "{{ sequential: STEP }}, found '{}'",
                                   what, text));
    }
}

/// `port-range: 10000-19999` and `port-block: 512`: where random ports
/// come from, and each inside host's share of them. Both act on ports the
/// NAT picks, so they need `ports: random`.
void read_port_range(YamlReader& r, const YAML::Node& node, const std::string& what,
                     NatBehaviour& b) {
    const YAML::Node range = node["port-range"];
    const YAML::Node block = node["port-block"];
    if (range) {
        const auto text = r.word(range, what + " port-range", "a range like 1024-65535");
        int low = 0, high = 0;
        char dash = 0;
        std::istringstream in(text.value_or(""));
        if (text && in >> low >> dash >> high && in.eof() && dash == '-' && low >= 1024 &&
            high <= 65535 && low <= high) {
            b.port_low = low;
            b.port_high = high;
        } else if (text) {
            r.diag().error(loc_of(range),
                           fmt::format("{} port-range: expected LOW-HIGH within 1024-65535, found "
                                       "'{}'",
                                       what, *text));
        }
    }
    if (block) {
        if (auto n = r.integer(block, what + " port-block", 1, 64512)) b.port_block = *n;
    }
    if ((range || block) && b.ports != PortAssignment::random) {
        r.diag().error(loc_of(range ? range : block),
                       fmt::format("{} {}: acts on ports the NAT picks; give ports: random too",
                                   what, range ? "port-range" : "port-block"));
    }
}

/// One of two words: true for `yes`, false for `no`, nullopt (reported) otherwise.
std::optional<bool> two_words(YamlReader& r, const YAML::Node& node, const std::string& what,
                              const char* yes, const char* no) {
    const std::string expected = fmt::format("{} or {}", yes, no);
    const auto text = r.word(node, what, expected);
    if (!text) return std::nullopt;
    if (*text == yes) return true;
    if (*text == no) return false;
    r.diag().error(loc_of(node), fmt::format("{}: expected {}, found '{}'", what, expected, *text));
    return std::nullopt;
}

void read_unsolicited(YamlReader& r, const YAML::Node& node, const std::string& what,
                      TcpQuirks& q) {
    const std::string text = r.word(node, what, "drop, rst or icmp").value_or("");
    for (auto t : {TcpUnsolicited::drop, TcpUnsolicited::rst, TcpUnsolicited::icmp}) {
        if (text == tcp_unsolicited_name(t)) {
            q.unsolicited = t;
            return;
        }
    }
    if (!text.empty())
        r.diag().error(loc_of(node),
                       fmt::format("{}: expected drop, rst or icmp, found '{}'", what, text));
}

/// A TcpQuirks key of two words, the first setting its field to true.
/// `nat_only` says why a router that does not translate cannot have it.
struct TwoWordKey {
    const char* key;
    const char* yes;
    const char* no;
    bool TcpQuirks::*field;
    const char* nat_only;
};

constexpr TwoWordKey kTwoWordKeys[] = {
    {"icmp-errors", "forward", "drop", &TcpQuirks::icmp_errors, nullptr},
    {"icmp-frag-needed", "send", "drop", &TcpQuirks::frag_needed, nullptr},
    {"tcp-syn-after-syn", "accept", "drop", &TcpQuirks::syn_after_syn, nullptr},
    {"tcp-window", "liberal", "strict", &TcpQuirks::liberal_window, nullptr},
    {"tcp-synack-after-syn", "accept", "drop", &TcpQuirks::synack_after_syn,
     "translate a SYN-ACK on a half-open mapping"},
    {"tcp-sequence", "rewrite", "preserve", &TcpQuirks::rewrite_sequence,
     "rewrite sequence numbers along with its mappings"},
};

/// `keys` and the keys of TcpQuirks, which `nat:` and `firewall:` maps both take.
std::vector<std::string_view> with_quirk_keys(std::vector<std::string_view> keys) {
    keys.emplace_back("tcp-unsolicited");
    for (const auto& k : kTwoWordKeys) keys.emplace_back(k.key);
    return keys;
}

/// The keys of TcpQuirks; one that acts on the translation itself is an
/// error, naming why, on a router that does not translate.
void read_tcp_quirks(YamlReader& r, const YAML::Node& node, const std::string& what,
                     bool translates, TcpQuirks& q) {
    if (auto n = node["tcp-unsolicited"]) read_unsolicited(r, n, what + " tcp-unsolicited", q);
    for (const auto& k : kTwoWordKeys) {
        const YAML::Node n = node[k.key];
        if (!n) continue;
        if (k.nat_only && !translates) {
            r.diag().error(loc_of(n), fmt::format("{} {}: only a NAT can {}, and this router does "
                                                  "not translate addresses; put the key under nat:",
                                                  what, k.key, k.nat_only));
            continue;
        }
        if (auto v = two_words(r, n, what + " " + k.key, k.yes, k.no)) q.*k.field = *v;
    }
}

}  // namespace

std::optional<NatSpec> read_nat(YamlReader& r, const YAML::Node& node, const std::string& router) {
    const std::string what = router + " nat";
    NatSpec spec;
    spec.loc = loc_of(node);
    if (node.IsScalar()) {
        spec.preset = node.Scalar();
        if (auto b = nat_preset(spec.preset)) {
            spec.behaviour = *b;
            return spec;
        }
        r.diag().error(spec.loc,
                       fmt::format("{}: unknown preset '{}'; expected one of: {}, or a "
                                   "behaviour map",
                                   what, spec.preset, fmt::join(nat_preset_names(), ", ")));
        return std::nullopt;
    }
    if (!r.expect_map(node, what, "a preset name or a behaviour map")) return std::nullopt;
    r.check_keys(node,
                 with_quirk_keys({"mapping", "filtering", "ports", "port-range", "port-block",
                                  "pooling", "refresh", "hairpin", "udp-timeout",
                                  "udp-timeout-initial", "tcp-timeout"}),
                 what);
    NatBehaviour& b = spec.behaviour;
    if (auto n = node["mapping"]) {
        if (auto v = r.behaviour(n, what + " mapping", false)) b.mapping = *v;
    }
    if (auto n = node["filtering"]) {
        if (auto v = r.behaviour(n, what + " filtering", false)) b.filtering = *v;
    }
    if (auto n = node["ports"]) {
        read_ports(r, n, what, b);
    } else if (b.mapping != Behaviour::endpoint_independent) {
        // A new mapping per destination cannot keep one port: such NATs pick ports.
        b.ports = PortAssignment::random;
    }
    read_port_range(r, node, what, b);
    if (auto n = node["pooling"]) {
        if (auto v = two_words(r, n, what + " pooling", "arbitrary", "paired"))
            b.pooling = *v ? Pooling::arbitrary : Pooling::paired;
    }
    if (auto n = node["refresh"]) {
        if (auto v = two_words(r, n, what + " refresh", "outbound", "both"))
            b.refresh = *v ? Refresh::outbound : Refresh::both;
    }
    if (auto n = node["hairpin"]) {
        if (auto v = r.boolean(n, what + " hairpin")) b.hairpin = *v;
    }
    if (auto n = node["udp-timeout"]) b.udp_timeout = r.duration(n, what + " udp-timeout");
    if (auto n = node["udp-timeout-initial"])
        b.udp_timeout_initial = r.duration(n, what + " udp-timeout-initial");
    if (auto n = node["tcp-timeout"]) b.tcp_timeout = r.duration(n, what + " tcp-timeout");
    read_tcp_quirks(r, node, what, b.translates(), b.tcp);
    return spec;
}

std::optional<FirewallSpec> read_firewall(YamlReader& r, const YAML::Node& node,
                                          const std::string& router) {
    const std::string what = router + " firewall";
    FirewallSpec fw;
    fw.loc = loc_of(node);
    if (node.IsScalar()) {
        auto preset = firewall_preset(node.Scalar());
        if (!preset) {
            r.diag().error(fw.loc,
                           fmt::format("{}: unknown preset '{}'; expected {} or a map", what,
                                       node.Scalar(), fmt::join(firewall_preset_names(), ", ")));
            return std::nullopt;
        }
        preset->loc = fw.loc;
        return preset;
    }
    if (!r.expect_map(node, what, "a preset name or { filtering: ..., block: [udp, tcp] }"))
        return std::nullopt;
    r.check_keys(node, with_quirk_keys({"filtering", "block"}), what);
    read_tcp_quirks(r, node, what, false, fw.tcp);
    if (auto n = node["filtering"]) {
        if (auto v = r.behaviour(n, what + " filtering", true)) fw.filtering = *v;
    }
    if (auto n = node["block"]) {
        if (!n.IsSequence()) {
            r.diag().error(loc_of(n), what + " block: expected a list like [udp]");
        } else {
            for (const auto& item : n) {
                const std::string proto = r.word(item, what + " block", "udp or tcp").value_or("");
                if (proto == "udp")
                    fw.block_udp = true;
                else if (proto == "tcp")
                    fw.block_tcp = true;
                else if (!proto.empty())
                    r.diag().error(
                        loc_of(item),
                        fmt::format("{} block: expected udp or tcp, found '{}'", what, proto));
            }
        }
    }
    return fw;
}

}  // namespace testbed::sections
