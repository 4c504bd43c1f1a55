#pragma once
/// nftables rulesets for routers, generated as text for libnftables. Pure, so
/// every behaviour has a golden ruleset in the unit tests.
///
/// Until the NAT engine (issue 3) lands, every translating behaviour is
/// realized as masquerade (endpoint-independent mapping, address-and-port-
/// dependent filtering; `masquerade random` where the mapping is not
/// endpoint-independent) and the difference is reported as a warning, never
/// hidden.

#include <optional>
#include <string>
#include <vector>

#include "core/nat.h"

namespace testbed {

/// What the ruleset of one router depends on.
struct RouterRules {
    std::string router;
    std::string wan;                ///< interface name of the wan
    std::vector<std::string> lans;  ///< interface names of the lans
    std::optional<NatBehaviour> nat;
    std::optional<FirewallSpec> firewall;
};

struct RulesetResult {
    std::string text;  ///< empty when the router needs no rules
    std::vector<std::string> warnings;
};

/// The name of the one table the testbed owns in each router's namespace.
inline constexpr const char* kTableName = "testbed";

RulesetResult router_ruleset(const RouterRules& rules);

}  // namespace testbed
