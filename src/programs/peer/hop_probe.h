#pragma once
/// The small-TTL techniques' hop count, found rather than configured: SYNs
/// of growing TTL to the own public address (the outermost NAT's, as the
/// server sees it). A router before that NAT answers a SYN whose TTL runs
/// out with ICMP time exceeded; the NAT itself answers a SYN for its own
/// address with a reset. The first TTL that reaches it is the hop count
/// (punch::find_hop_count). Needs no privilege: connect() with IP_TTL.

#include <optional>

#include "base/duration.h"
#include "base/ipv4.h"
#include "punch/technique.h"

namespace testbed::programs {

/// What a SYN with `ttl` to `target` (a closed port) met within `wait`.
punch::HopAnswer probe_hop(Ipv4 target, int ttl, Duration wait);

/// The hop count to `own_public` (nullopt when no TTL up to kMaxHops
/// reached it). When `own_public` is this host's own address (no NAT: the
/// server sees us as we are), the first router is where a SYN must pass:
/// the default gateway is probed instead.
std::optional<punch::HopCount> measure_hops(Ipv4 own_public, Duration wait);

/// How far a probe looks.
inline constexpr int kMaxHops = 16;

}  // namespace testbed::programs
