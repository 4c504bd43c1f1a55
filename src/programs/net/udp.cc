#include "programs/net/udp.h"

#include <arpa/inet.h>
#include <fmt/core.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>

#include "base/error.h"
#include "programs/net/sockaddr.h"

namespace testbed::programs {
UdpSocket::UdpSocket(const stun::Endpoint& local)
    : fd_(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0)) {
    if (!fd_.valid()) throw_errno("socket(AF_INET, SOCK_DGRAM)");
    const sockaddr_in sa = to_sockaddr(local);
    if (::bind(fd_.get(), reinterpret_cast<const sockaddr*>(&sa), sizeof sa) != 0) {
        throw_errno(fmt::format("bind({})", local.str()));
    }
}

stun::Endpoint UdpSocket::local() const {
    return socket_name(fd_.get());
}

void UdpSocket::send_to(const stun::Endpoint& to, std::span<const uint8_t> bytes) {
    const sockaddr_in sa = to_sockaddr(to);
    // A lost or refused datagram is normal on the paths a NAT blocks; the
    // protocol above retries, so errors here are not fatal.
    (void)::sendto(fd_.get(), bytes.data(), bytes.size(), 0, reinterpret_cast<const sockaddr*>(&sa),
                   sizeof sa);
}

std::optional<UdpSocket::Datagram> UdpSocket::receive(std::chrono::milliseconds timeout) {
    if (timeout.count() > 0) {
        pollfd p{fd_.get(), POLLIN, 0};
        if (::poll(&p, 1, static_cast<int>(timeout.count())) <= 0) return std::nullopt;
    }
    // Read into a buffer one byte larger than any message the programs take,
    // so an oversized datagram is seen as such without a 64 KiB buffer.
    uint8_t buffer[stun::kMaxMessageSize + 1];
    sockaddr_in sa{};
    socklen_t len = sizeof sa;
    const ssize_t n = ::recvfrom(fd_.get(), buffer, sizeof buffer, MSG_DONTWAIT | MSG_TRUNC,
                                 reinterpret_cast<sockaddr*>(&sa), &len);
    if (n < 0) return std::nullopt;
    Datagram d;
    d.from = from_sockaddr(sa);
    d.bytes.assign(buffer, buffer + std::min(static_cast<size_t>(n), sizeof buffer));
    d.size = static_cast<size_t>(n);
    return d;
}

stun::Endpoint route_source(const stun::Endpoint& to) {
    Fd fd(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
    if (!fd.valid()) throw_errno("socket(AF_INET, SOCK_DGRAM)");
    const sockaddr_in sa = to_sockaddr(to);
    if (::connect(fd.get(), reinterpret_cast<const sockaddr*>(&sa), sizeof sa) != 0) {
        throw_errno(fmt::format("connect({})", to.str()));
    }
    return socket_name(fd.get());
}

}  // namespace testbed::programs
