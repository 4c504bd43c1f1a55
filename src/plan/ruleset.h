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
/// - timeouts: the map entries' lifetime, and the conntrack timeouts of the
///   router's namespace (sysctls).
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
    std::string wan;                ///< interface name of the wan
    Ipv4 wan_address;               ///< the public address (hairpinning)
    std::vector<std::string> lans;  ///< interface names of the lans
    std::vector<Subnet> lan_subnets;
    std::optional<NatBehaviour> nat;
    std::optional<FirewallSpec> firewall;
    /// A gateway daemon maps ports here (plan/port_mapping.h): what it
    /// translated passes the NAT's filtering.
    std::optional<PortMapping> port_mapping;
};

struct RulesetResult {
    std::string text;  ///< empty when the router needs no rules
    std::vector<std::pair<std::string, std::string>> sysctls;  ///< e.g. conntrack timeouts
    std::vector<std::string> warnings;
};

/// The name of the one table the testbed owns in each router's namespace.
inline constexpr const char* kTableName = "testbed";

RulesetResult router_ruleset(const RouterRules& rules);

/// The conntrack timeout sysctls a behaviour's timeouts set: what a router
/// goes back to (the kernel's own values) when a run-time `set-nat` drops them.
std::vector<std::string> conntrack_timeout_keys();

}  // namespace testbed
