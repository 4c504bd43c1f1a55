#include "plan/ruleset.h"

#include <fmt/core.h>
#include <fmt/ranges.h>

#include <array>

#include "base/duration.h"
#include "plan/port_mapping.h"

namespace testbed {
namespace {

constexpr std::array<const char*, 2> kProtocols{"udp", "tcp"};

/// RFC 4787 REQ-5 asks at least 2 minutes of a UDP mapping; RFC 5382 REQ-5
/// at least 2 hours 4 minutes of an established TCP one.
constexpr Duration kDefaultUdpTimeout = std::chrono::minutes(2);
constexpr Duration kDefaultTcpTimeout = std::chrono::minutes(124);

std::string chain(const std::string& name, const std::string& type, const std::string& hook,
                  const std::string& priority, const std::string& body) {
    return fmt::format(
        "    chain {} {{\n        type {} hook {} priority {}; policy accept;\n{}    }}\n", name,
        type, hook, priority, body);
}

std::string line(const std::string& rule) {
    return "        " + rule + "\n";
}

/// Inbound traffic from the wan that conntrack does not know is dropped
/// (RFC 5382 REQ-4: silently, or TCP hole punching fails), or refused with a
/// reset when the behaviour asks for rst. `dnat_ok` lets in what a filtering
/// map translated, `gateway` what the port-mapping daemon did.
std::string unsolicited(const std::string& wan, TcpUnsolicited tcp, bool dnat_ok,
                        bool gateway = false) {
    std::string out = line(fmt::format("iifname \"{}\" ct state established,related accept", wan));
    if (dnat_ok) out += line(fmt::format("iifname \"{}\" ct status dnat accept", wan));
    if (gateway) out += line(fmt::format("iifname \"{}\" ct mark {:#x} accept", wan, kGatewayMark));
    if (tcp == TcpUnsolicited::rst)
        out += line(fmt::format("iifname \"{}\" meta l4proto tcp reject with tcp reset", wan));
    if (tcp == TcpUnsolicited::icmp) {
        out += line(fmt::format(
            "iifname \"{}\" meta l4proto tcp reject with icmp type port-unreachable", wan));
    }
    out += line(fmt::format("iifname \"{}\" drop", wan));
    return out;
}

/// A TCP segment with exactly these of FIN, SYN, RST and ACK set.
std::string tcp_flags(const char* flags) {
    return fmt::format("tcp flags & (fin|syn|rst|ack) == {}", flags);
}

constexpr const char* kFragNeeded = "icmp type destination-unreachable icmp code frag-needed drop";

/// What a router drops before it lets replies in: ICMP errors about a
/// mapping (icmp-errors: drop), and a SYN that comes back on a mapping that
/// saw only an outbound SYN (tcp-syn-after-syn: drop; conntrack calls that a
/// reply, and its state SYN_SENT2). `source_validation` adds BCP 38.
std::string quirk_drops(const std::string& wan, const TcpQuirks& q, bool source_validation) {
    std::string out;
    if (source_validation) {
        // Strict reverse path: the route back to the source leaves by the
        // interface the packet came in on.
        out += line(fmt::format("iifname != \"{}\" fib saddr . iif oif missing drop", wan));
    }
    if (!q.icmp_errors) {
        out += line(
            fmt::format("iifname \"{}\" ct state related icmp type {{ destination-unreachable, "
                        "time-exceeded, parameter-problem }} drop",
                        wan));
    }
    if (!q.syn_after_syn)
        out +=
            line(fmt::format("iifname \"{}\" ct direction reply {} drop", wan, tcp_flags("syn")));
    if (!q.frag_needed) out += line(kFragNeeded);
    return out;
}

/// icmp-frag-needed: drop also drops those the router sends itself: the
/// kernel answers a DF packet too big for the next link from the output
/// hook, not through forward.
std::string own_frag_needed(const TcpQuirks& q) {
    if (q.frag_needed) return {};
    return chain("own_icmp", "filter", "output", "filter", line(kFragNeeded));
}

/// The per-namespace conntrack setting a quirk needs.
std::vector<std::pair<std::string, std::string>> quirk_sysctls(const TcpQuirks& q) {
    if (!q.liberal_window) return {};
    return {{"net/netfilter/nf_conntrack_tcp_be_liberal", "1"}};
}

std::string seconds_value(Duration d) {
    return std::to_string(std::max<int64_t>(1, (d.count() + 999) / 1000));
}

/// Builds the ruleset of a translating router.
class NatRules {
  public:
    NatRules(const RouterRules& r, const NatBehaviour& b) : r_(r), b_(b) {}

    RulesetResult build() {
        RulesetResult result;
        const bool filter_map = b_.filtering == Behaviour::endpoint_independent ||
                                b_.filtering == Behaviour::address_dependent;
        const bool use_map = filter_map || b_.hairpin;
        const bool use_set = b_.filtering == Behaviour::address_dependent;
        std::string text;
        if (port_table()) text += port_table_declarations();
        if (use_map) text += declarations(use_set);
        if (b_.tcp.synack_after_syn) text += half_open_declaration();
        text += chain("postrouting", "nat", "postrouting", "srcnat", source_nat());
        if (use_map || port_table() || b_.tcp.synack_after_syn) {
            text +=
                chain("record", "filter", "postrouting", "srcnat + 10", record(use_map, use_set));
        }
        if (b_.tcp.synack_after_syn)
            text += chain("half_open", "filter", "postrouting", "srcnat + 15", half_open());
        if (b_.tcp.rewrite_sequence) text += sequence_chains();
        // With a gateway daemon the screen runs after every nat chain (the
        // kernel runs them all at the NAT core's own priority), so it sees
        // which new connections the daemon translated.
        if (use_set) {
            text += chain("screen", "filter", "prerouting",
                          r_.port_mapping ? "dstnat + 10" : "dstnat - 10", screen());
        }
        if (use_map) text += chain("inbound", "nat", "prerouting", "dstnat", inbound(filter_map));
        text += chain("forward", "filter", "forward", "filter", forward(filter_map));
        text += own_frag_needed(b_.tcp);
        text += chain("input", "filter", "input", "filter",
                      unsolicited(r_.wan, b_.tcp.unsolicited, false) + gateway_input());
        result.text = fmt::format("table ip {} {{\n{}}}\n", kTableName, text);
        result.sysctls = timeouts();
        for (auto& kv : quirk_sysctls(b_.tcp)) result.sysctls.push_back(std::move(kv));
        warn_about_approximations(result.warnings);
        return result;
    }

  private:
    const RouterRules& r_;
    const NatBehaviour& b_;

    /// The kernel picks a random port for every new connection.
    bool random() const {
        return b_.mapping != Behaviour::endpoint_independent || b_.ports == PortAssignment::random;
    }

    /// An explicit table of external ports, keyed by what the mapping
    /// depends on, where the kernel's own choice would not give the mapping:
    /// address-dependent mapping, and endpoint-independent mapping whose
    /// ports are not preserved (the kernel would pick anew per destination).
    bool port_table() const {
        return b_.mapping == Behaviour::address_dependent ||
               (b_.mapping == Behaviour::endpoint_independent &&
                b_.ports != PortAssignment::preserve);
    }

    std::string table_key(const char* protocol, bool conntrack) const {
        const bool by_address = b_.mapping == Behaviour::address_dependent;
        if (conntrack) {
            return std::string("ct original ip saddr . ct original proto-src") +
                   (by_address ? " . ct original ip daddr" : "");
        }
        return fmt::format("ip saddr . {} sport{}", protocol, by_address ? " . ip daddr" : "");
    }

    Duration timeout(const std::string& protocol) const {
        if (protocol == "udp") return b_.udp_timeout.value_or(kDefaultUdpTimeout);
        return b_.tcp_timeout.value_or(kDefaultTcpTimeout);
    }

    std::string port_table_declarations() const {
        std::string out;
        const bool by_address = b_.mapping == Behaviour::address_dependent;
        for (const char* p : kProtocols) {
            out += fmt::format(
                "    map {}_ports {{ type ipv4_addr . inet_service{} : inet_service; flags "
                "dynamic,timeout; timeout {}; }}\n",
                p, by_address ? " . ipv4_addr" : "", format_duration(timeout(p)));
        }
        return out;
    }

    /// Outbound SYNs by inside endpoint . remote endpoint, to their external
    /// port: what translates a SYN-ACK conntrack will not (tcp-synack-after-syn).
    std::string half_open_declaration() const {
        return "    map tcp_half_open { type ipv4_addr . inet_service . ipv4_addr . inet_service : "
               "inet_service; flags dynamic,timeout; timeout 2m; }\n";
    }

    /// The forward chain: the quirks' drops, what conntrack calls invalid
    /// on its way out, then what may come in. Invalid packets escape
    /// translation: a Linux router would send them on with the inside
    /// source (seen: an outbound SYN-ACK on a mapping in SYN_SENT, data
    /// numbered out of conntrack's window), so a NAT drops them, as
    /// OpenWrt's firewall does on a masquerading zone. With
    /// tcp-synack-after-syn: accept, the SYN-ACK goes on to half_open().
    std::string forward(bool filter_map) const {
        std::string out = quirk_drops(r_.wan, b_.tcp, r_.source_validation);
        const std::string invalid = fmt::format("oifname \"{}\" ct state invalid", r_.wan);
        if (b_.tcp.synack_after_syn) out += line(invalid + " " + tcp_flags("syn|ack") + " accept");
        out += line(invalid + " drop");
        return out +
               unsolicited(r_.wan, b_.tcp.unsolicited, filter_map, r_.port_mapping.has_value());
    }

    /// tcp-synack-after-syn: accept. Conntrack holds a mapping that saw only
    /// an outbound SYN in state SYN_SENT, where an outbound SYN-ACK is
    /// invalid and escapes translation; it gets the mapping's address and
    /// port here, statelessly, or is dropped when no SYN went out before it.
    std::string half_open() const {
        const std::string invalid_synack =
            fmt::format("oifname \"{}\" ct state invalid {}", r_.wan, tcp_flags("syn|ack"));
        return line(fmt::format("{} tcp sport set ip saddr . tcp sport . ip daddr . tcp dport map "
                                "@tcp_half_open ip saddr set {} accept",
                                invalid_synack, r_.wan_address.str())) +
               line(invalid_synack + " drop");
    }

    /// tcp-sequence: rewrite. Adding 2^31 modulo 2^32 is an XOR of the top
    /// bit, and its own inverse: sequence numbers go out shifted, and
    /// acknowledgments come in shifted back before conntrack sees them, so
    /// conntrack (and the inside host) only ever see the inside's numbers.
    std::string sequence_chains() const {
        return chain("sequence_in", "filter", "prerouting", "raw - 10",
                     line(fmt::format("iifname \"{}\" tcp flags & ack == ack tcp ackseq set tcp "
                                      "ackseq ^ 0x80000000",
                                      r_.wan))) +
               chain("sequence_out", "filter", "postrouting", "srcnat + 20",
                     line(fmt::format("oifname \"{}\" tcp sequence set tcp sequence ^ 0x80000000",
                                      r_.wan)));
    }

    std::string declarations(bool use_set) const {
        std::string out;
        for (const char* p : kProtocols) {
            const std::string t = format_duration(timeout(p));
            out += fmt::format(
                "    map {}_mapped {{ type inet_service : ipv4_addr . inet_service; flags "
                "dynamic,timeout; "
                "timeout {}; }}\n",
                p, t);
            if (use_set) {
                out += fmt::format(
                    "    set {}_contacted {{ type inet_service . ipv4_addr; flags dynamic,timeout; "
                    "timeout {}; }}\n",
                    p, t);
            }
        }
        return out;
    }

    /// Sequential ports: a counter per protocol, mapped to base + i * step.
    std::string sequential_ports(const char* protocol) const {
        constexpr int kBase = 20000;
        const int step = std::max(1, b_.port_step);
        const int count = std::min(1000, (65535 - kBase) / step);
        std::vector<std::string> entries;
        entries.reserve(static_cast<size_t>(count));
        for (int i = 0; i < count; ++i)
            entries.push_back(fmt::format("{} : {}", i, kBase + i * step));
        return line(fmt::format(
            "oifname \"{}\" meta l4proto {} snat ip to {} : numgen inc mod {} map {{ {} }}", r_.wan,
            protocol, r_.wan_address.str(), count, fmt::join(entries, ", ")));
    }

    /// Random ports from the range (1024 up by default: left to itself the
    /// kernel picks 600-1023 for a source port below 1024, which no
    /// deployed NAT does); with port blocks, each inside host's own first.
    std::string random_ports() const {
        std::string out;
        const std::string l4 = fmt::format("oifname \"{}\" meta l4proto {{ tcp, udp }}", r_.wan);
        if (b_.port_block > 0) {
            int low = b_.port_low;
            for (const Ipv4 inside : r_.inside_addresses) {
                const int high = low + b_.port_block - 1;
                if (high > b_.port_high) break;  // validation counts the blocks
                out += line(fmt::format("{} ip saddr {} snat ip to {}:{}-{} random", l4,
                                        inside.str(), r_.wan_address.str(), low, high));
                low = high + 1;
            }
        }
        return out +
               line(fmt::format("{} masquerade to :{}-{} random", l4, b_.port_low, b_.port_high));
    }

    std::string source_nat() const {
        std::string out;
        for (const char* p : kProtocols) {
            // A key already in the table keeps its port; a failed lookup falls through.
            if (port_table()) {
                out += line(
                    fmt::format("oifname \"{}\" meta l4proto {} snat ip to {} : {} map @{}_ports",
                                r_.wan, p, r_.wan_address.str(), table_key(p, false), p));
            }
            if (b_.ports == PortAssignment::sequential) out += sequential_ports(p);
        }
        // Random ports come from 1024 up, as deployed NATs give them: left
        // to itself the kernel picks 600-1023 for a source port below 1024.
        if (random()) out += random_ports();
        out += line(fmt::format("oifname \"{}\" masquerade{}", r_.wan, random() ? " random" : ""));
        if (b_.hairpin && !r_.lan_subnets.empty()) {
            std::vector<std::string> subnets;
            for (const auto& s : r_.lan_subnets) subnets.push_back(s.str());
            // RFC 4787 REQ-9: a hairpinned packet carries the public source.
            out +=
                line(fmt::format("oifname != \"{}\" ct status dnat ip saddr {{ {} }} snat ip to {}",
                                 r_.wan, fmt::join(subnets, ", "), r_.wan_address.str()));
        }
        return out;
    }

    /// After srcnat: the packet carries its external port now.
    std::string record(bool use_map, bool use_set) const {
        std::string out;
        if (b_.tcp.synack_after_syn) {
            out += line(fmt::format(
                "oifname \"{}\" {} update @tcp_half_open {{ ct original ip saddr . ct original "
                "proto-src . ct original ip daddr . ct original proto-dst : tcp sport }}",
                r_.wan, tcp_flags("syn")));
        }
        for (const char* p : kProtocols) {
            if (port_table()) {
                out += line(fmt::format(
                    "oifname \"{0}\" meta l4proto {1} update @{1}_ports {{ {2} : {1} sport }}",
                    r_.wan, p, table_key(p, true)));
            }
            if (use_map) {
                out +=
                    line(fmt::format("oifname \"{0}\" meta l4proto {1} update @{1}_mapped {{ {1} "
                                     "sport : ct original "
                                     "ip saddr . ct original proto-src }}",
                                     r_.wan, p));
            }
            if (use_set) {
                out += line(fmt::format(
                    "oifname \"{0}\" meta l4proto {1} update @{1}_contacted {{ {1} sport . ip "
                    "daddr }}",
                    r_.wan, p));
            }
        }
        return out;
    }

    /// What the router's gateway daemon refuses on its lans (plan/port_mapping.h).
    std::string gateway_input() const {
        std::string out;
        const auto refused = r_.port_mapping ? refused_pcp_version(*r_.port_mapping) : std::nullopt;
        if (!refused) return out;
        // The first byte of a request is its version.
        for (const auto& lan : r_.lans) {
            out += line(fmt::format("iifname \"{}\" udp dport {} @th,64,8 {} drop", lan, kPcpPort,
                                    *refused));
        }
        return out;
    }

    std::string screen() const {
        std::string out;
        // With a gateway daemon the screen runs after the nat chains: a
        // mapping the daemon made is open to all, and the others' external
        // port is the one before translation.
        if (r_.port_mapping)
            out += line(fmt::format("iifname \"{}\" ct mark {:#x} accept", r_.wan, kGatewayMark));
        for (const char* p : kProtocols) {
            const std::string port =
                r_.port_mapping ? "ct original proto-dst" : fmt::format("{} dport", p);
            out +=
                line(fmt::format("iifname \"{}\" ct state new meta l4proto {} {} . ip saddr != "
                                 "@{}_contacted drop",
                                 r_.wan, p, port, p));
        }
        return out;
    }

    std::string inbound(bool filter_map) const {
        std::string out;
        for (const char* p : kProtocols) {
            if (filter_map) {
                out += line(fmt::format(
                    "iifname \"{0}\" meta l4proto {1} dnat ip to {1} dport map @{1}_mapped", r_.wan,
                    p));
            }
            if (b_.hairpin) {
                out +=
                    line(fmt::format("iifname != \"{0}\" ip daddr {2} meta l4proto {1} dnat ip to "
                                     "{1} dport map @{1}_mapped",
                                     r_.wan, p, r_.wan_address.str()));
            }
        }
        return out;
    }

    std::vector<std::pair<std::string, std::string>> timeouts() const {
        std::vector<std::pair<std::string, std::string>> out;
        if (b_.udp_timeout || b_.udp_timeout_initial) {
            // Conntrack's own two: before a reply (udp_timeout) and after
            // (udp_timeout_stream).
            const Duration after_reply = timeout("udp");
            out.emplace_back("net/netfilter/nf_conntrack_udp_timeout",
                             seconds_value(b_.udp_timeout_initial.value_or(after_reply)));
            out.emplace_back("net/netfilter/nf_conntrack_udp_timeout_stream",
                             seconds_value(after_reply));
        }
        if (b_.tcp_timeout) {
            out.emplace_back("net/netfilter/nf_conntrack_tcp_timeout_established",
                             seconds_value(*b_.tcp_timeout));
        }
        return out;
    }

    /// A mapping per destination cannot preserve ports: such a request gets
    /// random ports, and says so.
    void warn_about_approximations(std::vector<std::string>& warnings) const {
        if (b_.mapping == Behaviour::endpoint_independent || b_.ports != PortAssignment::preserve)
            return;
        NatBehaviour given = b_;
        given.ports = PortAssignment::random;
        warnings.push_back(
            fmt::format("router '{}': asked for {}; a mapping per destination cannot keep "
                        "ports, so this gives {}",
                        r_.router, describe(b_), describe(given)));
    }
};

/// Filtering without translation: conntrack for APD; sets of inside
/// endpoints (EI) or endpoint . remote address (AD) filled on the way out.
std::string firewall_rules(const RouterRules& r, const FirewallSpec& fw) {
    std::string decl;
    std::string body;
    if (fw.block_udp) body += line("meta l4proto udp drop");
    if (fw.block_tcp) body += line("meta l4proto tcp drop");
    body += quirk_drops(r.wan, fw.tcp, r.source_validation);
    const bool ei = fw.filtering == Behaviour::endpoint_independent;
    const bool ad = fw.filtering == Behaviour::address_dependent;
    if (ei || ad) {
        for (const std::string p : kProtocols) {
            const std::string out_key = "ip saddr . " + p + " sport" + (ad ? " . ip daddr" : "");
            const std::string in_key = "ip daddr . " + p + " dport" + (ad ? " . ip saddr" : "");
            decl += fmt::format(
                "    set {}_inside {{ type ipv4_addr . inet_service{}; flags dynamic,timeout; "
                "timeout 2m; }}\n",
                p, ad ? " . ipv4_addr" : "");
            body += line(fmt::format("iifname != \"{}\" meta l4proto {} update @{}_inside {{ {} }}",
                                     r.wan, p, p, out_key));
            body += line(fmt::format("iifname \"{}\" meta l4proto {} {} @{}_inside accept", r.wan,
                                     p, in_key, p));
        }
    }
    if (fw.filtering != Behaviour::none) body += unsolicited(r.wan, fw.tcp.unsolicited, false);
    if (body.empty()) return {};
    return decl + chain("forward", "filter", "forward", "filter", body) + own_frag_needed(fw.tcp);
}

}  // namespace

RulesetResult router_ruleset(const RouterRules& rules) {
    if (rules.nat && rules.nat->translates()) return NatRules(rules, *rules.nat).build();
    RulesetResult result;
    FirewallSpec fw;  // a plain router: no filtering, perhaps source validation
    if (rules.nat) {
        fw.filtering = rules.nat->filtering;
        fw.block_udp = rules.nat->block_udp;
        fw.tcp = rules.nat->tcp;
    } else if (rules.firewall) {
        fw = *rules.firewall;
    }
    const std::string body = firewall_rules(rules, fw);
    if (!body.empty()) result.text = fmt::format("table ip {} {{\n{}}}\n", kTableName, body);
    result.sysctls = quirk_sysctls(fw.tcp);
    return result;
}

std::vector<std::string> conntrack_sysctl_keys() {
    return {"net/netfilter/nf_conntrack_udp_timeout",
            "net/netfilter/nf_conntrack_udp_timeout_stream",
            "net/netfilter/nf_conntrack_tcp_timeout_established",
            "net/netfilter/nf_conntrack_tcp_be_liberal"};
}

}  // namespace testbed
