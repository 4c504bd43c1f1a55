#pragma once
/// The host's default gateway, the address port-mapping protocols talk to
/// (NAT-PMP and PCP send to it; RFC 6886 §3.1, RFC 6887 §8.1).

#include <optional>
#include <string_view>

#include "base/ipv4.h"

namespace testbed::programs {

/// The gateway of the first IPv4 default route in `proc_net_route` (the
/// text of /proc/net/route); nullopt when there is none.
std::optional<Ipv4> default_gateway_in(std::string_view proc_net_route);

/// The same, read from this network namespace's /proc/net/route.
std::optional<Ipv4> default_gateway();

}  // namespace testbed::programs
