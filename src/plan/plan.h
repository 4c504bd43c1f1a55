#pragma once
/// The kernel objects a validated topology needs, as plain data: one
/// namespace per node, one per bridge, the links between them, addresses,
/// routes, sysctls and nftables rulesets. Computing a plan is pure; the
/// realizer (realizer.h) applies one through the Kernel interface.

#include <optional>
#include <string>
#include <vector>

#include "base/ipv4.h"
#include "model/topology.h"
#include "plan/ruleset.h"

namespace testbed {

/// One interface of a node: named after its network, inside the node's namespace.
struct InterfacePlan {
    std::string name;
    std::string network;
    std::vector<Ipv4> addresses;
    int prefix = 24;
};

/// A route: `destination` (prefix 0 for the default route) via `gateway`.
struct RoutePlan {
    Subnet destination;
    Ipv4 gateway;
    std::string interface;
};

/// One namespace and what goes in it.
struct NamespacePlan {
    enum class Kind { host, router, bridge };
    std::string name;  ///< node name, or network name for a bridge
    Kind kind = Kind::host;
    std::vector<InterfacePlan> interfaces;
    std::vector<RoutePlan> routes;
    std::string ruleset;  ///< nftables text; empty for none
    /// For a bridge namespace, its bridge devices: br0, and past
    /// kPortsPerBridge members br1, br2, ... joined to br0 by trunks.
    std::vector<std::string> bridges;
    /// Sysctls beyond the ones every namespace gets (e.g. conntrack timeouts).
    std::vector<std::pair<std::string, std::string>> sysctls;
    /// A port-mapping router's table for its gateway daemon: applied once
    /// after `ruleset`, and left alone when a step replaces `ruleset`.
    std::string gateway_ruleset;
    /// The `traffic:` table on the far ends of hosts' links here
    /// (plan/traffic.h): applied once, left alone by every step.
    std::string traffic_table;
};

/// One end of a link: a namespace (index into NetworkPlan::namespaces), the
/// interface name inside it, and the bridge it is a port of (none if empty).
struct LinkEnd {
    size_t ns = 0;
    std::string interface;
    std::string bridge;
};

/// A veth pair; for a bridged network one pair per member, the second end a
/// port of a bridge in the network's namespace; a trunk joins two bridges
/// of one network (both ends there).
struct LinkPlan {
    std::string network;
    LinkEnd a;
    LinkEnd b;
    bool trunk() const { return !a.bridge.empty() && !b.bridge.empty(); }
};

/// One direction of one member's link with conditions: the qdisc goes on
/// the sending end, nftables rules on the receiving end's ingress
/// (plan/link.h decides which, given the kernel).
struct ConditionedLink {
    std::string network;
    std::string node;     ///< the member whose link it is
    bool outward = true;  ///< what the node sends (false: what it receives)
    LinkEnd sending;
    LinkEnd receiving;
    /// Where a duplicate can go out to reach the receiver: the bridge of the
    /// receiving end, for what a node sends; empty for what it receives.
    std::string duplicate_into;
    LinkConditions conditions;
};

/// An MTU for one end of a link.
struct MtuPlan {
    LinkEnd end;
    int mtu = 0;
};

struct NetworkPlan {
    std::vector<NamespacePlan> namespaces;
    std::vector<LinkPlan> links;
    std::vector<ConditionedLink> conditioned;
    std::vector<MtuPlan> mtus;
    std::vector<std::string> warnings;

    /// Index of the namespace of a node or bridge; throws Error when absent.
    size_t index_of(const std::string& name, NamespacePlan::Kind kind) const;
};

/// The (first) bridge device's name inside a bridge namespace.
inline constexpr const char* kBridgeName = "br0";
/// Members per bridge device: the kernel allows a bridge 1024 ports
/// (BR_MAX_PORTS); a larger network chains bridges, each with room for its trunk.
inline constexpr size_t kPortsPerBridge = 1000;

/// Plans the kernel objects of a topology that passed validate_topology().
NetworkPlan plan_network(const Topology& topo);

/// The ruleset (and sysctls) of one router of a validated topology; with
/// `nat` given, as if the router had that behaviour (the set-nat step).
RulesetResult plan_router_rules(const Topology& topo, const Router& router,
                                const std::optional<NatSpec>& nat = std::nullopt);

}  // namespace testbed
