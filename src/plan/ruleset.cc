#include "plan/ruleset.h"

#include <fmt/core.h>
#include <fmt/ranges.h>

#include "base/duration.h"
#include "plan/address_pool.h"
#include "plan/port_mapping.h"
#include "plan/rule_parts.h"

namespace testbed {
namespace {

/// RFC 4787 REQ-5 asks at least 2 minutes of a UDP mapping; RFC 5382 REQ-5
/// at least 2 hours 4 minutes of an established TCP one.
constexpr Duration kDefaultUdpTimeout = std::chrono::minutes(2);
constexpr Duration kDefaultTcpTimeout = std::chrono::minutes(124);

std::string seconds_value(Duration d) {
    return std::to_string(std::max<int64_t>(1, (d.count() + 999) / 1000));
}

/// Builds the ruleset of a translating router.
class NatRules {
  public:
    NatRules(const RouterRules& r, const NatBehaviour& b)
        : r_(r), b_(b), pool_(r.public_addresses, r.inside_addresses, b.pooling) {}

    RulesetResult build() {
        RulesetResult result;
        const bool filter_map = b_.filtering == Behaviour::endpoint_independent ||
                                b_.filtering == Behaviour::address_dependent;
        const bool use_map = filter_map || b_.hairpin;
        const bool use_set = b_.filtering == Behaviour::address_dependent;
        std::string text;
        if (port_table()) text += port_table_declarations();
        if (use_map) text += declarations(use_set);
        if (outbound_refresh()) text += fresh_declaration();
        if (b_.tcp.synack_after_syn) text += half_open_declaration();
        text += chain("postrouting", "nat", "postrouting", "srcnat", source_nat());
        if (outbound_refresh()) text += chain("stale", "filter", "prerouting", "raw", stale());
        if (use_map || port_table() || b_.tcp.synack_after_syn || outbound_refresh()) {
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
    const AddressPool pool_;

    /// The kernel picks a random port for every new connection.
    bool random() const {
        return b_.mapping != Behaviour::endpoint_independent || b_.ports == PortAssignment::random;
    }

    /// An explicit table of external ports, keyed by what the mapping
    /// depends on, where the kernel's own choice would not give the mapping:
    /// address-dependent mapping, and endpoint-independent mapping whose
    /// ports are not preserved (the kernel would pick anew per destination).
    /// An endpoint-independent mapping with arbitrary pooling needs one
    /// too: the kernel would keep the port for a second destination, not
    /// the address.
    bool port_table() const {
        return b_.mapping == Behaviour::address_dependent ||
               (b_.mapping == Behaviour::endpoint_independent &&
                (b_.ports != PortAssignment::preserve || pool_.arbitrary()));
    }

    bool outbound_refresh() const { return b_.refresh == Refresh::outbound; }

    /// refresh: outbound (RFC 4787 REQ-6). Conntrack refreshes an entry on
    /// every packet, so inbound ones that find no fresh mapping are dropped
    /// before it sees them (raw priority); a set of external endpoints,
    /// updated only by outbound packets, says which are fresh.
    std::string fresh_declaration() const {
        return fmt::format(
            "    set udp_fresh {{ type ipv4_addr . inet_service; flags dynamic,timeout; timeout "
            "{}; }}\n",
            format_duration(timeout("udp")));
    }

    std::string stale() const {
        return line(fmt::format(
            "iifname \"{}\" meta l4proto udp ip daddr . udp dport != @udp_fresh drop", r_.wan));
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
                "    map {}_ports {{ type ipv4_addr . inet_service{} : ipv4_addr . inet_service; "
                "flags dynamic,timeout; timeout {}; }}\n",
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
                                invalid_synack, pool_.primary())) +
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
                "    map {}_mapped {{ type ipv4_addr . inet_service : ipv4_addr . inet_service; "
                "flags dynamic,timeout; timeout {}; }}\n",
                p, t);
            if (use_set) {
                out += fmt::format(
                    "    set {}_contacted {{ type ipv4_addr . inet_service . ipv4_addr; flags "
                    "dynamic,timeout; timeout {}; }}\n",
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
            protocol, pool_.for_new_mapping(), count, fmt::join(entries, ", ")));
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
                                        inside.str(), pool_.for_inside(inside), low, high));
                low = high + 1;
            }
        }
        if (pool_.pooled()) {
            out += line(fmt::format("{} snat ip to {} : {}-{} random", l4, pool_.for_new_mapping(),
                                    b_.port_low, b_.port_high));
        }
        return out +
               line(fmt::format("{} masquerade to :{}-{} random", l4, b_.port_low, b_.port_high));
    }

    std::string source_nat() const {
        std::string out;
        for (const char* p : kProtocols) {
            // A key already in the table keeps its port; a failed lookup falls through.
            if (port_table()) {
                out +=
                    line(fmt::format("oifname \"{}\" meta l4proto {} snat ip to {} map @{}_ports",
                                     r_.wan, p, table_key(p, false), p));
            }
            if (b_.ports == PortAssignment::sequential) out += sequential_ports(p);
        }
        // Random ports come from 1024 up, as deployed NATs give them: left
        // to itself the kernel picks 600-1023 for a source port below 1024.
        if (random()) out += random_ports();
        // A pool's address for the rest (preserved ports); with paired
        // pooling a source not on the lans falls through to masquerade.
        if (pool_.pooled() && !random()) {
            out +=
                line(fmt::format("oifname \"{}\" snat ip to {}", r_.wan, pool_.for_new_mapping()));
        }
        out += line(fmt::format("oifname \"{}\" masquerade{}", r_.wan, random() ? " random" : ""));
        if (b_.hairpin && !r_.lan_subnets.empty()) {
            std::vector<std::string> subnets;
            for (const auto& s : r_.lan_subnets) subnets.push_back(s.str());
            // RFC 4787 REQ-9: a hairpinned packet carries the public source.
            const std::string hairpinned =
                fmt::format("oifname != \"{}\" ct status dnat ip saddr {{ {} }} snat ip to ",
                            r_.wan, fmt::join(subnets, ", "));
            out += line(hairpinned + pool_.hairpin_source());
            if (pool_.pooled() && pool_.hairpin_exact()) out += line(hairpinned + pool_.primary());
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
        if (outbound_refresh()) {
            out += line(fmt::format(
                "oifname \"{}\" meta l4proto udp update @udp_fresh {{ ip saddr . udp sport }}",
                r_.wan));
        }
        for (const char* p : kProtocols) {
            if (port_table()) {
                out +=
                    line(fmt::format("oifname \"{0}\" meta l4proto {1} update @{1}_ports {{ {2} : "
                                     "ip saddr . {1} sport }}",
                                     r_.wan, p, table_key(p, true)));
            }
            if (use_map) {
                out +=
                    line(fmt::format("oifname \"{0}\" meta l4proto {1} update @{1}_mapped {{ ip "
                                     "saddr . {1} sport : ct original ip saddr . ct original "
                                     "proto-src }}",
                                     r_.wan, p));
            }
            if (use_set) {
                out += line(fmt::format(
                    "oifname \"{0}\" meta l4proto {1} update @{1}_contacted {{ ip saddr . {1} "
                    "sport . ip daddr }}",
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
            const std::string port = r_.port_mapping
                                         ? "ct original ip daddr . ct original proto-dst"
                                         : fmt::format("ip daddr . {} dport", p);
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
                out +=
                    line(fmt::format("iifname \"{0}\" meta l4proto {1} dnat ip to ip daddr . {1} "
                                     "dport map @{1}_mapped",
                                     r_.wan, p));
            }
            if (b_.hairpin) {
                out +=
                    line(fmt::format("iifname != \"{0}\" ip daddr {2} meta l4proto {1} dnat ip to "
                                     "ip daddr . {1} dport map @{1}_mapped",
                                     r_.wan, p, pool_.match()));
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
    /// random ports, and says so; nor can hairpinning know the pooled
    /// address of an arbitrary mapping.
    void warn_about_approximations(std::vector<std::string>& warnings) const {
        if (b_.hairpin && !pool_.hairpin_exact()) {
            warnings.push_back(fmt::format(
                "router '{}': with arbitrary pooling a hairpinned packet carries the first "
                "public address, {}, whichever address its sender's mapping has",
                r_.router, pool_.primary()));
        }
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
