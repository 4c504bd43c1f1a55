#include "core/ruleset.h"

#include <fmt/core.h>

namespace testbed {
namespace {

/// Inbound traffic from the wan that conntrack does not know is dropped
/// (RFC 5382 REQ-4: silently, or TCP hole punching fails), or refused with a
/// reset when the behaviour asks for rst.
std::string unsolicited_rules(const std::string& wan, TcpUnsolicited tcp) {
    std::string out =
        fmt::format("        iifname \"{}\" ct state established,related accept\n", wan);
    if (tcp == TcpUnsolicited::rst) {
        out += fmt::format("        iifname \"{}\" meta l4proto tcp reject with tcp reset\n", wan);
    }
    out += fmt::format("        iifname \"{}\" drop\n", wan);
    return out;
}

std::string filter_chain(const std::string& name, const std::string& hook,
                         const std::string& body) {
    return fmt::format(
        "    chain {} {{\n        type filter hook {} priority filter; policy accept;\n{}    }}\n",
        name, hook, body);
}

void nat_rules(const RouterRules& rules, const NatBehaviour& b, std::string& out,
               std::vector<std::string>& warnings) {
    const bool random =
        b.mapping != Behaviour::endpoint_independent || b.ports == PortAssignment::random;
    out += fmt::format(
        "    chain postrouting {{\n        type nat hook postrouting priority srcnat; policy "
        "accept;\n"
        "        oifname \"{}\" masquerade{}\n    }}\n",
        rules.wan, random ? " random" : "");
    const std::string guard = unsolicited_rules(rules.wan, b.tcp_unsolicited);
    out += filter_chain("forward", "forward", guard);
    out += filter_chain("input", "input", guard);

    NatBehaviour given;  // what masquerade gives: EI/APD, preserved ports, no hairpin
    given.mapping =
        random ? Behaviour::address_and_port_dependent : Behaviour::endpoint_independent;
    given.ports = random ? PortAssignment::random : PortAssignment::preserve;
    given.tcp_unsolicited = b.tcp_unsolicited;
    NatBehaviour wanted = b;
    wanted.udp_timeout.reset();
    wanted.tcp_timeout.reset();
    wanted.port_step = 1;
    if (!(wanted == given) || b.udp_timeout || b.tcp_timeout) {
        warnings.push_back(
            fmt::format("router '{}': asked for {}; this version gives {} (plain masquerade "
                        "until the NAT engine lands)",
                        rules.router, describe(b), describe(given)));
    }
}

void firewall_rules(const RouterRules& rules, const FirewallSpec& fw, std::string& out,
                    std::vector<std::string>& warnings) {
    std::string body;
    if (fw.block_udp) body += "        meta l4proto udp drop\n";
    if (fw.block_tcp) body += "        meta l4proto tcp drop\n";
    if (fw.filtering == Behaviour::address_and_port_dependent) {
        body += unsolicited_rules(rules.wan, TcpUnsolicited::drop);
    } else if (fw.filtering != Behaviour::none && fw.filtering != Behaviour::endpoint_independent) {
        body += unsolicited_rules(rules.wan, TcpUnsolicited::drop);
        warnings.push_back(
            fmt::format("router '{}': firewall filtering {} is given as address-and-port-"
                        "dependent until the NAT engine lands",
                        rules.router, behaviour_name(fw.filtering)));
    }
    if (!body.empty()) out += filter_chain("forward", "forward", body);
}

}  // namespace

RulesetResult router_ruleset(const RouterRules& rules) {
    RulesetResult result;
    std::string body;
    if (rules.nat) {
        const NatBehaviour& b = *rules.nat;
        FirewallSpec as_firewall;
        as_firewall.filtering = b.filtering;
        as_firewall.block_udp = b.block_udp;
        if (b.mapping != Behaviour::none)
            nat_rules(rules, b, body, result.warnings);
        else
            firewall_rules(rules, as_firewall, body, result.warnings);
    } else if (rules.firewall) {
        firewall_rules(rules, *rules.firewall, body, result.warnings);
    }
    if (!body.empty()) result.text = fmt::format("table ip {} {{\n{}}}\n", kTableName, body);
    return result;
}

}  // namespace testbed
