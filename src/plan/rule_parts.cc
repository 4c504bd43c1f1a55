#include "plan/rule_parts.h"

#include <fmt/core.h>

#include "plan/port_mapping.h"
#include "plan/ruleset.h"

namespace testbed {

std::string chain(const std::string& name, const std::string& type, const std::string& hook,
                  const std::string& priority, const std::string& body) {
    return fmt::format(
        "    chain {} {{\n        type {} hook {} priority {}; policy accept;\n{}    }}\n", name,
        type, hook, priority, body);
}

std::string line(const std::string& rule) {
    return "        " + rule + "\n";
}

std::string unsolicited(const std::string& wan, TcpUnsolicited tcp, bool dnat_ok, bool gateway) {
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

std::string tcp_flags(const char* flags) {
    return fmt::format("tcp flags & (fin|syn|rst|ack) == {}", flags);
}

namespace {
constexpr const char* kFragNeeded = "icmp type destination-unreachable icmp code frag-needed drop";
}  // namespace

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

std::string own_frag_needed(const TcpQuirks& q) {
    if (q.frag_needed) return {};
    return chain("own_icmp", "filter", "output", "filter", line(kFragNeeded));
}

std::vector<std::pair<std::string, std::string>> quirk_sysctls(const TcpQuirks& q) {
    if (!q.liberal_window) return {};
    return {{"net/netfilter/nf_conntrack_tcp_be_liberal", "1"}};
}

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

}  // namespace testbed
