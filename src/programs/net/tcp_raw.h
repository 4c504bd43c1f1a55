#pragma once
/// TCP below the socket API, for the small-TTL techniques of the seed lecture
/// (STUNT, NATBlaster): a segment written by hand with its checksum, sent
/// through a raw socket, and a packet socket that watches the segments a
/// host sends and receives, to learn a SYN's sequence number. Raw and
/// packet sockets need CAP_NET_RAW; their constructors say so when it is
/// missing.

#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "base/fd.h"
#include "stun/stun.h"

namespace testbed::programs {

/// The TCP flag bits of RFC 9293 §3.1.
namespace tcp_flag {
inline constexpr uint8_t fin = 0x01;
inline constexpr uint8_t syn = 0x02;
inline constexpr uint8_t rst = 0x04;
inline constexpr uint8_t ack = 0x10;
}  // namespace tcp_flag

/// What a hand-made segment carries; no options, no payload.
struct TcpSegmentSpec {
    stun::Endpoint from;
    stun::Endpoint to;
    uint32_t seq = 0;
    uint32_t ack = 0;
    uint8_t flags = 0;
    uint16_t window = 64240;
};

/// The 20 bytes of the TCP header, checksum over the IPv4 pseudo-header included.
std::vector<uint8_t> tcp_segment(const TcpSegmentSpec& spec);

/// The Internet checksum (RFC 1071) of the IPv4 pseudo-header and `segment`.
uint16_t tcp_checksum(const stun::Endpoint& from, const stun::Endpoint& to,
                      std::span<const uint8_t> segment);

/// One TCP segment as a packet socket sees it, or an ICMP message (ports 0).
struct SeenSegment {
    stun::Endpoint from;
    stun::Endpoint to;
    uint32_t seq = 0;
    uint32_t ack = 0;
    uint8_t flags = 0;
    uint8_t ttl = 0;
    std::optional<uint8_t> icmp_type;  ///< set for ICMP, with its code
    uint8_t icmp_code = 0;
};

/// Parses an IPv4 packet holding a TCP segment or an ICMP message; nullopt
/// for anything else (or a truncated packet).
std::optional<SeenSegment> parse_tcp_packet(std::span<const uint8_t> packet);

/// Whether `s` is the SYN this host sent from local port `port` to `to`
/// (a pure SYN: what a connect() puts on the wire first).
inline bool is_syn_sent(const SeenSegment& s, uint16_t port, const stun::Endpoint& to) {
    return s.from.port == port && s.to == to && s.flags == tcp_flag::syn;
}

/// A packet socket on every interface of the namespace, in and out.
class SegmentWatch {
  public:
    SegmentWatch();
    /// Readable when a segment is queued (for a caller's poll).
    int fd() const { return fd_.get(); }
    /// The next segment for which `match` holds, within `timeout`.
    template <class Match>
    std::optional<SeenSegment> next(Match match, std::chrono::milliseconds timeout) {
        const auto deadline = std::chrono::steady_clock::now() + timeout;
        while (auto seen = next_any(deadline)) {
            if (match(*seen)) return seen;
        }
        return std::nullopt;
    }

  private:
    std::optional<SeenSegment> next_any(std::chrono::steady_clock::time_point deadline);
    Fd fd_;
};

/// Sends a hand-made segment, IPv4 header included (TTL 64), from a raw
/// socket: the source is `spec.from` whatever this host's addresses are.
void send_tcp_segment(const TcpSegmentSpec& spec);

}  // namespace testbed::programs
