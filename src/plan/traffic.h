#pragma once
/// The nftables table behind `traffic:` checks, in each host's namespace:
/// every packet a host sends on the testbed's interfaces carries the host's
/// number in its DSCP field, which no router rewrites, so a packet that
/// reaches a host says which host sent it. A packet relayed by a third host
/// is sent anew by that host and carries its number. Hosts that a check
/// names count what arrives, per sender, in named counters the run reads at
/// its end: exact, in the kernel, whatever the load.

#include <string>
#include <vector>

#include "model/topology.h"

namespace testbed {

/// The table's name (family ip) in every host namespace.
inline constexpr const char* kTrafficTable = "testbed_traffic";

/// The number a host's packets carry: 1 + its place among the hosts (at
/// most kMaxTrafficHosts, as the loader checks); 0 for a name that is no host.
int traffic_tag(const Topology& topo, const std::string& host);

/// The host whose packets carry `tag`; nullptr when none does.
const Host* traffic_host(const Topology& topo, int tag);

/// The name of the counter of packets from the host numbered `tag`.
std::string traffic_counter(int tag);

/// True when a `traffic:` check names the host (it counts what arrives).
bool traffic_counted(const Topology& topo, const std::string& host);

/// The table for `host`, whose interfaces (named in its namespace) are
/// `interfaces`: tags what leaves on them, and counts by sender what
/// arrives on them where the host is counted. Pure.
std::string traffic_ruleset(const Topology& topo, const Host& host,
                            const std::vector<std::string>& interfaces);

}  // namespace testbed
