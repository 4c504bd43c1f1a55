#pragma once
/// The pieces of nftables text every router's ruleset is made of (chains,
/// the drop of what nobody asked for, the TCP quirks' drops and sysctls),
/// and the whole ruleset of a router that filters without translating.
/// Pure text; plan/ruleset.h composes a NAT's from them.

#include <array>
#include <string>
#include <utility>
#include <vector>

#include "model/nat.h"

namespace testbed {

struct RouterRules;

inline constexpr std::array<const char*, 2> kProtocols{"udp", "tcp"};

/// A base chain with policy accept around `body`.
std::string chain(const std::string& name, const std::string& type, const std::string& hook,
                  const std::string& priority, const std::string& body);
/// One rule, indented as a chain's body.
std::string line(const std::string& rule);

/// Inbound traffic from the wan that conntrack does not know is dropped
/// (RFC 5382 REQ-4: silently, or TCP hole punching fails), or refused with a
/// reset when the behaviour asks for rst. `dnat_ok` lets in what a filtering
/// map translated, `gateway` what the port-mapping daemon did.
std::string unsolicited(const std::string& wan, TcpUnsolicited tcp, bool dnat_ok,
                        bool gateway = false);
/// A TCP segment with exactly these of FIN, SYN, RST and ACK set.
std::string tcp_flags(const char* flags);
/// What a router drops before it lets replies in: ICMP errors about a
/// mapping (icmp-errors: drop), and a SYN that comes back on a mapping that
/// saw only an outbound SYN (tcp-syn-after-syn: drop; conntrack calls that a
/// reply, and its state SYN_SENT2). `source_validation` adds BCP 38.
std::string quirk_drops(const std::string& wan, const TcpQuirks& q, bool source_validation);
/// icmp-frag-needed: drop also drops those the router sends itself: the
/// kernel answers a DF packet too big for the next link from the output
/// hook, not through forward.
std::string own_frag_needed(const TcpQuirks& q);
/// The per-namespace conntrack setting a quirk needs.
std::vector<std::pair<std::string, std::string>> quirk_sysctls(const TcpQuirks& q);

/// Filtering without translation: conntrack for APD; sets of inside
/// endpoints (EI) or endpoint . remote address (AD) filled on the way out.
/// Empty when the router needs no rules.
std::string firewall_rules(const RouterRules& r, const FirewallSpec& fw);

}  // namespace testbed
