#include "programs/net/tcp.h"

#include <arpa/inet.h>
#include <fmt/core.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>

#include "base/error.h"
#include "programs/net/sockaddr.h"

namespace testbed::programs {
namespace {

constexpr size_t kMaxQueued = size_t{64} * 1024;

void set_flag(int fd, int option) {
    const int one = 1;
    if (::setsockopt(fd, SOL_SOCKET, option, &one, sizeof one) != 0)
        throw_errno(fmt::format("setsockopt({})",
                                option == SO_REUSEPORT ? "SO_REUSEPORT" : "SO_REUSEADDR"));
}

Fd bound(const stun::Endpoint& local, bool reuse_port) {
    Fd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
    if (!fd.valid()) throw_errno("socket(AF_INET, SOCK_STREAM)");
    set_flag(fd.get(), SO_REUSEADDR);
    if (reuse_port) set_flag(fd.get(), SO_REUSEPORT);
    const sockaddr_in sa = to_sockaddr(local);
    if (::bind(fd.get(), reinterpret_cast<const sockaddr*>(&sa), sizeof sa) != 0)
        throw_errno(fmt::format("bind(tcp {})", local.str()));
    return fd;
}

}  // namespace

Fd tcp_listen(const stun::Endpoint& local, bool reuse_port) {
    Fd fd = bound(local, reuse_port);
    if (::listen(fd.get(), 128) != 0) throw_errno(fmt::format("listen(tcp {})", local.str()));
    return fd;
}

Fd tcp_bound_socket(const stun::Endpoint& local) {
    return bound(local, true);
}

bool tcp_start_connect(int fd, const stun::Endpoint& to) {
    const sockaddr_in sa = to_sockaddr(to);
    if (::connect(fd, reinterpret_cast<const sockaddr*>(&sa), sizeof sa) == 0) return true;
    return errno == EINPROGRESS;
}

void set_ttl(int fd, int ttl) {
    if (::setsockopt(fd, IPPROTO_IP, IP_TTL, &ttl, sizeof ttl) != 0)
        throw_errno(fmt::format("setsockopt(IP_TTL, {})", ttl));
}

int socket_error(int fd) {
    int err = 0;
    socklen_t len = sizeof err;
    if (::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0) return errno;
    return err;
}

StunStream::StunStream(Fd fd)
    : fd_(std::move(fd)), peer_(peer_name(fd_.get())), local_(socket_name(fd_.get())) {
    // Small messages that answer each other: Nagle's algorithm meeting a
    // delayed ACK would add 40 ms to every exchange.
    const int one = 1;
    (void)::setsockopt(fd_.get(), IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

std::vector<stun::Message> StunStream::read(std::string& why) {
    std::vector<stun::Message> out;
    uint8_t buffer[4096];
    const ssize_t n = ::recv(fd_.get(), buffer, sizeof buffer, MSG_DONTWAIT);
    if (n == 0) {
        why = "closed";
    } else if (n < 0) {
        if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) why = std::strerror(errno);
        return out;
    } else {
        in_.insert(in_.end(), buffer, buffer + n);
    }
    while (in_.size() >= stun::kHeaderSize) {
        const size_t length = (size_t{in_[2]} << 8) | in_[3];
        const size_t total = stun::kHeaderSize + length;
        if ((in_[0] & 0xC0) != 0 || total > stun::kMaxMessageSize) {
            why = fmt::format("not a STUN frame or larger than {} bytes", stun::kMaxMessageSize);
            in_.clear();
            return out;
        }
        if (in_.size() < total) break;
        auto decoded = stun::decode(std::span<const uint8_t>(in_.data(), total));
        in_.erase(in_.begin(), in_.begin() + static_cast<std::ptrdiff_t>(total));
        if (auto* m = std::get_if<stun::Message>(&decoded)) {
            out.push_back(std::move(*m));
        } else {
            why = std::get<std::string>(decoded);
            in_.clear();
            return out;
        }
    }
    return out;
}

bool StunStream::write(std::span<const uint8_t> bytes) {
    if (out_.size() + bytes.size() > kMaxQueued) return false;
    out_.insert(out_.end(), bytes.begin(), bytes.end());
    while (!out_.empty()) {
        const ssize_t n = ::send(fd_.get(), out_.data(), out_.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
        if (n < 0) return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR;
        out_.erase(out_.begin(), out_.begin() + n);
    }
    return true;
}

}  // namespace testbed::programs
