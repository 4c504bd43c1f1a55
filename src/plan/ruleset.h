#pragma once
/// nftables rulesets for routers, generated as text for libnftables. Pure, so
/// every behaviour has a golden ruleset in the unit tests.
///
/// Translation (RFC 4787 / RFC 5382):
/// - mapping: `masquerade` keeps one external port per internal endpoint
///   (endpoint-independent, ports preserved where free); `masquerade random`
///   picks a new random port per connection (address-and-port-dependent).
///   Where the kernel's choice would not give the mapping (address-dependent,
///   or endpoint-independent with ports not preserved) a dynamic table keyed
///   by internal endpoint (. remote address) keeps the external port, and a
///   new one comes from masquerade random or, for sequential ports, from a
///   counter (`numgen inc`) mapped to base + i * step.
/// - filtering: address-and-port-dependent is conntrack itself (only replies
///   come in). Endpoint-independent adds a dynamic map external port ->
///   internal endpoint, filled after srcnat on the way out and used by a
///   prerouting dnat on the way in. Address-dependent also records
///   external port . remote address on the way out, and drops new inbound
///   packets whose pair is not recorded.
/// - hairpinning: the same map serves packets from the inside to the
///   public address, and their source is translated to the public address.
/// - address pooling (several wan addresses): a new mapping's address comes
///   from plan/address_pool.h; the tables above hold external address .
///   port, so a mapping keeps its address (an endpoint-independent mapping
///   with arbitrary pooling keeps one through its table).
/// - timeouts: the map entries' lifetime, and the conntrack timeouts of the
///   router's namespace (sysctls).
/// - TCP quirks (model/nat.h TcpQuirks): unsolicited SYNs rejected with a
///   reset or ICMP; ICMP errors about a mapping, or a SYN answering an
///   outbound SYN, dropped before replies are let in; a SYN-ACK that
///   conntrack calls invalid (after only an outbound SYN) translated from a
///   table of outbound SYNs, or dropped; sequence numbers shifted by 2^31
///   both ways outside conntrack's view; conntrack's window check turned off
///   (sysctl nf_conntrack_tcp_be_liberal). ICMP errors through a rewriting
///   NAT still quote the shifted number, so the inside host's TCP ignores
///   them: nftables cannot mend the ICMP checksum of a quoted header.
/// - source validation (BCP 38): strict reverse-path filtering by fib.
/// A behaviour that cannot exist (a mapping per destination that preserves
/// ports) is built as the nearest one and reported in `warnings`, never hidden.

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "base/ipv4.h"
#include "model/nat.h"
#include "model/topology.h"

namespace testbed {

/// What the ruleset of one router depends on.
struct RouterRules {
    std::string router;
    std::string wan;  ///< interface name of the wan
    /// The wan's addresses: the router's own first, more for a pool of
    /// public addresses (plan/address_pool.h).
    std::vector<Ipv4> public_addresses;
    std::vector<std::string> lans;  ///< interface names of the lans
    std::vector<Subnet> lan_subnets;
    /// Every address on the lans but the router's own, in order (port blocks).
    std::vector<Ipv4> inside_addresses;
    std::optional<NatBehaviour> nat;
    std::optional<FirewallSpec> firewall;
    /// A gateway daemon maps ports here (plan/port_mapping.h): what it
    /// translated passes the NAT's filtering.
    std::optional<PortMapping> port_mapping;
    bool source_validation = false;  ///< BCP 38 on what comes from the lans
};

struct RulesetResult {
    std::string text;  ///< empty when the router needs no rules
    std::vector<std::pair<std::string, std::string>> sysctls;  ///< e.g. conntrack timeouts
    std::vector<std::string> warnings;
};

/// The name of the one table the testbed owns in each router's namespace.
inline constexpr const char* kTableName = "testbed";

RulesetResult router_ruleset(const RouterRules& rules);

/// The conntrack sysctls a behaviour sets (its timeouts, tcp-window): what a
/// router goes back to (the kernel's own values) when a run-time `set-nat`
/// drops them.
std::vector<std::string> conntrack_sysctl_keys();

}  // namespace testbed
