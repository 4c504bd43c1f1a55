#include "programs/peer/hop_probe.h"

#include <poll.h>

#include <algorithm>
#include <cerrno>

#include "base/log.h"
#include "programs/net/route.h"
#include "programs/net/tcp.h"
#include "programs/peer/connect.h"

namespace testbed::programs {
namespace {

/// A port nobody maps or listens on (discard): the NAT answers with a reset.
constexpr uint16_t kProbePort = 9;

bool is_own_address(Ipv4 address) {
    const auto mine = local_endpoints(0);
    return std::any_of(mine.begin(), mine.end(),
                       [&](const stun::Endpoint& e) { return e.ip == address; });
}

}  // namespace

punch::HopAnswer probe_hop(Ipv4 target, int ttl, Duration wait) {
    Fd fd = tcp_bound_socket({Ipv4{0}, 0});
    set_ttl(fd.get(), ttl);
    if (!tcp_start_connect(fd.get(), {target, kProbePort})) return punch::HopAnswer::silent;
    pollfd p{fd.get(), POLLOUT, 0};
    if (::poll(&p, 1, static_cast<int>(wait.count())) != 1) return punch::HopAnswer::silent;
    switch (socket_error(fd.get())) {
        case 0:             // something listens there: reached all the same
        case ECONNREFUSED:  // the NAT's own reset
            return punch::HopAnswer::reached;
        default:  // EHOSTUNREACH and the like: an ICMP error from a router before it
            return punch::HopAnswer::expired;
    }
}

std::optional<punch::HopCount> measure_hops(Ipv4 own_public, Duration wait) {
    Ipv4 target = own_public;
    if (is_own_address(own_public)) {
        const auto gateway = default_gateway();
        if (!gateway) return std::nullopt;
        target = *gateway;
    }
    auto found = punch::find_hop_count(
        [&](int ttl) {
            const auto answer = probe_hop(target, ttl, wait);
            log::debug("hop probe to {} with TTL {}: {}", target.str(), ttl,
                       answer == punch::HopAnswer::reached   ? "reached"
                       : answer == punch::HopAnswer::expired ? "expired"
                                                             : "silent");
            return answer;
        },
        kMaxHops);
    return found;
}

}  // namespace testbed::programs
