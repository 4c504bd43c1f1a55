#pragma once
/// TCP for the punching programs: STUN messages framed on a stream (RFC 8489
/// §6.2.2: the header's length delimits them), and the sockets TCP hole
/// punching needs (several bound to one local port, nonblocking connects).

#include <optional>
#include <span>
#include <string>
#include <vector>

#include "base/fd.h"
#include "programs/net/sockaddr.h"
#include "stun/stun.h"

namespace testbed::programs {

/// A listening socket on `local` (SO_REUSEADDR), nonblocking.
Fd tcp_listen(const stun::Endpoint& local, bool reuse_port = false);

/// A nonblocking TCP socket bound to `local` with SO_REUSEADDR and
/// SO_REUSEPORT, so the peer can listen and connect from one port at once.
Fd tcp_bound_socket(const stun::Endpoint& local);

/// Starts a nonblocking connect; false if it failed at once (errno kept).
bool tcp_start_connect(int fd, const stun::Endpoint& to);

/// The pending error of a socket (SO_ERROR): 0 once a connect succeeded.
int socket_error(int fd);

/// The TTL of what `fd` sends from now on (the kernel's retransmissions
/// too); kDefaultTtl restores the system's default. Throws on failure.
inline constexpr int kDefaultTtl = -1;
void set_ttl(int fd, int ttl);

/// STUN messages over a stream: buffered reads split into messages, writes
/// buffered up to a bound. Input and output are bounded, so a peer that
/// floods or does not read cannot grow memory.
class StunStream {
  public:
    explicit StunStream(Fd fd);
    int fd() const { return fd_.get(); }
    const stun::Endpoint& peer() const { return peer_; }
    const stun::Endpoint& local() const { return local_; }

    /// Reads what is available; the complete messages in it. `why` is set
    /// (and the stream is done) on EOF ("closed"), an error, an oversized
    /// or non-STUN frame.
    std::vector<stun::Message> read(std::string& why);
    /// Queues and sends what the socket takes now; false when the queue
    /// would pass its bound or the connection failed.
    bool write(std::span<const uint8_t> bytes);

  private:
    Fd fd_;
    stun::Endpoint peer_;
    stun::Endpoint local_;
    std::vector<uint8_t> in_;
    std::vector<uint8_t> out_;
};

}  // namespace testbed::programs
