#pragma once
/// The nftables tables behind `traffic:` checks. Every packet a host puts
/// on a link gets the host's number in its DSCP field where it enters the
/// network: on the ingress hook of the link's far end (a bridge port, or a
/// router's interface), in a namespace no program under test runs in. So
/// the number says who sent a packet *last*: a relay, in the kernel or in
/// userspace, rewrites it with its own, and no program can set another's
/// (IP_TOS, a raw or packet socket, its own nftables rules: all are
/// overwritten where the frame leaves its host). Routers forward the mark
/// as it is. Where a checked host's link ends, the egress hook counts what
/// goes to the host, per sender, in named counters the run reads at its
/// end: exact, in the kernel, whatever the load.

#include <map>
#include <optional>
#include <string>
#include <utility>

#include "model/topology.h"
#include "plan/plan.h"

namespace testbed {

/// The tables' name, family netdev, in the namespaces that hold hosts'
/// link ends (bridges and routers).
inline constexpr const char* kTrafficTable = "testbed_traffic";

/// The number a host's packets carry: 1 + its place among the hosts (at
/// most kMaxTrafficHosts, as the loader checks); 0 for a name that is no host.
int traffic_tag(const Topology& topo, const std::string& host);

/// The host whose packets carry `tag`; nullptr when none does.
const Host* traffic_host(const Topology& topo, int tag);

/// The name of the counter of packets from the host numbered `sender` to
/// the host numbered `receiver`.
std::string traffic_counter(int receiver, int sender);

/// The receiver and sender numbers a traffic_counter name stands for.
std::optional<std::pair<int, int>> parse_traffic_counter(const std::string& name);

/// True when a `traffic:` check names the host (it counts what arrives).
bool traffic_counted(const Topology& topo, const std::string& host);

/// Whether a network of two hosts must be bridged: its far ends would be
/// in a host's namespace, where a program under test could change them.
bool traffic_needs_bridge(const Topology& topo, const NetworkPlan& plan, size_t a, size_t b);

/// A table with one egress chain on `device`: loads where the kernel has
/// the netdev egress hook the counters need.
std::string traffic_egress_probe(const std::string& device);

/// What `traffic:` checks need of the kernel that it lacks, for a SKIP.
inline constexpr const char* kTrafficNeedsEgress =
    "traffic: checks count on a device's egress hook: nftables netdev egress "
    "(CONFIG_NETFILTER_EGRESS, CONFIG_NF_TABLES_NETDEV; Linux 5.16 or later)";

/// The table of every namespace that holds the far end of a host's link,
/// by namespace index: the tag on what arrives from the host, and for a
/// counted host the counters on what leaves toward it. Empty without
/// `traffic:` checks. Pure.
std::map<size_t, std::string> traffic_tables(const Topology& topo, const NetworkPlan& plan);

}  // namespace testbed
