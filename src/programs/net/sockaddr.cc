#include "programs/net/sockaddr.h"

#include <arpa/inet.h>
#include <sys/socket.h>

namespace testbed::programs {

sockaddr_in to_sockaddr(const stun::Endpoint& e) {
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_port = htons(e.port);
    sa.sin_addr.s_addr = htonl(e.ip.value);
    return sa;
}

stun::Endpoint from_sockaddr(const sockaddr_in& sa) {
    return {Ipv4{ntohl(sa.sin_addr.s_addr)}, ntohs(sa.sin_port)};
}

stun::Endpoint socket_name(int fd) {
    sockaddr_in sa{};
    socklen_t len = sizeof sa;
    if (::getsockname(fd, reinterpret_cast<sockaddr*>(&sa), &len) != 0) return {};
    return from_sockaddr(sa);
}

stun::Endpoint peer_name(int fd) {
    sockaddr_in sa{};
    socklen_t len = sizeof sa;
    if (::getpeername(fd, reinterpret_cast<sockaddr*>(&sa), &len) != 0) return {};
    return from_sockaddr(sa);
}

}  // namespace testbed::programs
