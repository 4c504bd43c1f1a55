#include "programs/peer/connect.h"

#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>

#include <cmath>

#include "programs/peer/core.h"
#include "programs/peer/tcp_transport.h"
#include "programs/peer/udp_transport.h"
#include "programs/portmap/mapper.h"

namespace testbed::programs {
namespace {

double ms_between(punch::Time from, punch::Time to) {
    const double ms = std::chrono::duration<double, std::milli>(to - from).count();
    return std::round(ms * 100) / 100;
}

}  // namespace

namespace {

std::unique_ptr<portmap::PortMapper> port_mapper(const ConnectOptions& o) {
    if (o.port_mapping.empty()) return nullptr;
    return std::make_unique<portmap::PortMapper>(o.port_mapping, portmap::make_client,
                                                 o.port_mapping_wait);
}

}  // namespace

nlohmann::json connect_udp(const ConnectOptions& options) {
    UdpTransport transport(options);
    auto mapper = port_mapper(options);
    return PeerCore(options, transport, mapper.get()).run();
}

nlohmann::json connect_tcp(const ConnectOptions& options) {
    TcpTransport transport(options);
    auto mapper = port_mapper(options);
    return PeerCore(options, transport, mapper.get()).run();
}

std::vector<stun::Endpoint> local_endpoints(uint16_t port) {
    std::vector<stun::Endpoint> out;
    ifaddrs* list = nullptr;
    if (::getifaddrs(&list) != 0) return out;
    for (ifaddrs* a = list; a; a = a->ifa_next) {
        if (!a->ifa_addr || a->ifa_addr->sa_family != AF_INET) continue;
        if ((a->ifa_flags & IFF_LOOPBACK) || !(a->ifa_flags & IFF_UP)) continue;
        const auto* sin = reinterpret_cast<const sockaddr_in*>(a->ifa_addr);
        out.push_back({Ipv4{ntohl(sin->sin_addr.s_addr)}, port});
        if (out.size() == punch::kMaxPrivateEndpoints) break;
    }
    ::freeifaddrs(list);
    return out;
}

nlohmann::json failed(const ConnectOptions& o, const std::string& why) {
    return {{"result", "failed"},
            {"transport", o.tcp ? "tcp" : "udp"},
            {"peer", o.target},
            {"error", why}};
}

nlohmann::json connected(const ConnectOptions& o, const punch::Session& s, punch::PathKind kind,
                         const stun::Endpoint& local, const stun::Endpoint& remote) {
    nlohmann::json out = {{"result", kind == punch::PathKind::relay ? "relay" : "direct"},
                          {"transport", o.tcp ? "tcp" : "udp"},
                          {"path", punch::path_name(kind)},
                          {"peer", o.target},
                          {"local", local.str()},
                          {"remote", remote.str()}};
    if (auto up = s.chosen_up()) out["punch_ms"] = ms_between(s.introduced(), *up);
    if (s.payload_sent() && s.completed())
        out["rtt_ms"] = ms_between(*s.payload_sent(), *s.completed());
    out["payload"] = s.payload_received();
    return out;
}

}  // namespace testbed::programs
