#pragma once
/// A UDP socket for the punching programs: bind, send, receive with a
/// deadline. Thin and blocking: the programs are small state machines.

#include <chrono>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "base/fd.h"
#include "stun/stun.h"

namespace testbed::programs {

class UdpSocket {
  public:
    /// Binds to `local` (0.0.0.0:0 for any address and an ephemeral port).
    explicit UdpSocket(const stun::Endpoint& local);

    int fd() const { return fd_.get(); }
    stun::Endpoint local() const;
    void send_to(const stun::Endpoint& to, std::span<const uint8_t> bytes);

    struct Datagram {
        stun::Endpoint from;
        std::vector<uint8_t> bytes;  ///< at most kMaxMessageSize + 1 of them
        size_t size = 0;             ///< the datagram's real size
    };
    /// Waits up to `timeout` (0: not at all) for one datagram; nullopt on
    /// timeout, signal or nothing queued. A datagram larger than any STUN
    /// message the programs take comes truncated, with its real `size`.
    std::optional<Datagram> receive(std::chrono::milliseconds timeout);

  private:
    Fd fd_;
};

/// The local address the kernel would use to reach `to` (a connected UDP
/// socket's name), so a probe can tell whether it is translated.
stun::Endpoint route_source(const stun::Endpoint& to);

}  // namespace testbed::programs
