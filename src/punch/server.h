#pragma once
/// The rendezvous server's decisions, pure: a message in (from a UDP source
/// or a TCP connection, at a time), the answers out (to whom, from which
/// socket). No sockets and no clock of its own, so every rule is a unit
/// test: registration with return routability (a cookie) and proof of the
/// key, conflicts, introductions, reversal and relay only between
/// introduced peers, answers to unproven sources no larger than what they
/// sent, per-source rate limits and quotas, bounded tables, and STUN
/// Binding with RFC 5780 discovery. The program (programs/rendezvous)
/// owns the sockets and delivers what this returns.

#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "punch/clock.h"
#include "punch/cookie.h"
#include "punch/registry.h"
#include "stun/stun.h"

namespace testbed::punch {

struct ServerLimits {
    double rate = 200;  ///< messages a second per source address, every method but Binding
    double burst = 400;
    /// Binding answers a second per source address (0: unlimited). A
    /// Binding answer is larger than its request (76 bytes for 20): the
    /// bound is what a spoofed source can make the server send its victim.
    double binding_rate = 100;
    /// TCP connections open from one source address at most, and how long
    /// a connection may take to send its first whole message.
    size_t connections_per_source = 16;
    std::chrono::seconds first_message{5};
    /// How long a registration nonce lasts: one to two periods.
    std::chrono::seconds nonce_period{30};
    RegistryLimits registry;
};

/// What the server did, for its summary line and the tests.
struct ServerCounters {
    uint64_t binding_answers = 0;
    uint64_t registrations = 0;
    uint64_t introductions = 0;
    uint64_t relayed = 0;
    uint64_t malformed = 0;
    uint64_t rate_limited = 0;
    uint64_t refused = 0;
    uint64_t challenges = 0;  ///< registrations answered with a nonce to echo
    uint64_t cut = 0;         ///< answers to unproven sources dropped for their size
    uint64_t spoofed = 0;     ///< SYN-ACKs forged for STUNT #1 (`--spoof`)
};

/// One message to send: to a contact (a UDP endpoint, sent from
/// `socket`, or a TCP connection).
struct Send {
    Contact to;
    size_t socket = 0;  ///< index into the UDP addresses, for UDP contacts
    stun::Message message;
};

/// A SYN-ACK the server forges for STUNT #1 (`--spoof`): to one peer of an
/// introduced pair, from the other's public endpoint, carrying the other's
/// SYN's sequence number and acknowledging the receiver's.
struct ForgedSynAck {
    stun::Endpoint from;
    stun::Endpoint to;
    uint32_t seq = 0;
    uint32_t ack = 0;
};

class Server {
  public:
    /// `udp` are the addresses of the UDP sockets: one (the primary), or
    /// four for RFC 5780 (primary, primary address with the alternate port,
    /// alternate address with the primary port, alternate).
    Server(std::vector<stun::Endpoint> udp, ServerLimits limits);

    /// A datagram of `size` bytes (`bytes` may hold fewer: a truncated read)
    /// arrived on UDP socket `socket` from `from`.
    std::vector<Send> on_datagram(size_t socket, const stun::Endpoint& from,
                                  std::span<const uint8_t> bytes, size_t size, Time now);
    /// A whole message arrived on TCP connection `connection` from `peer`.
    std::vector<Send> on_stream(uint64_t connection, const stun::Endpoint& peer,
                                const stun::Message& m, Time now);
    /// A TCP connection sent something that is not a STUN frame.
    void on_stream_garbage(const stun::Endpoint& peer, const std::string& why, Time now);
    /// A TCP connection was accepted: false when its source has its share
    /// already (the caller closes it).
    bool admit(uint64_t connection, const stun::Endpoint& peer, Time now);
    /// Connections that have not sent a whole message within first_message
    /// of being accepted (the caller closes them): a host holding
    /// half-sent connections cannot keep the slots.
    std::vector<uint64_t> overdue(Time now) const;
    /// A TCP connection closed: its registrations and its slot go.
    void on_closed(uint64_t connection, const stun::Endpoint& peer);
    /// Drops what has expired.
    void expire(Time now);

    /// STUNT #1's spoofer on (`rendezvous --spoof`): when both peers of an
    /// introduced pair, registered over TCP, have said their SYNs are out
    /// and asked for it, the server forges one SYN-ACK to each, to and from
    /// the endpoints it knows them by, and to nobody else.
    void allow_spoofing(bool on) { spoofing_ = on; }
    /// The SYN-ACKs to forge since the last call (the caller sends them).
    std::vector<ForgedSynAck> take_forged() { return std::exchange(forged_, {}); }

    const ServerCounters& counters() const { return counters_; }
    size_t peers() const { return registry_.peers(); }

  private:
    std::vector<Send> handle(const Contact& from, const stun::Message& m, Time now);
    /// Whether answers to `from` may be larger than what it sent: it is
    /// registered (it echoed a cookie), or `m` echoes a good one now.
    bool proven(const Contact& from, const stun::Message& m, Time now) const;
    /// Keeps what goes back to an unproven UDP source within `budget` bytes
    /// (the datagram's size): an error loses its reason phrase, anything
    /// else too large is not sent. Nothing goes to anyone else for it.
    void fit(std::vector<Send>& out, const Contact& from, size_t budget);
    Send challenge(const Contact& from, const stun::Message& m, int code, const char* reason,
                   Time now);
    std::vector<Send> on_register(const Contact& from, const stun::Message& m, const Register& r,
                                  Time now);
    std::vector<Send> on_connect(const Contact& from, const stun::Message& m, const Connect& c,
                                 Time now);
    /// Reversal and relay: the sender's id and the target's contact, when
    /// the sender is registered and was introduced to the target.
    std::optional<std::pair<std::string, Contact>> forwarding(const Contact& from,
                                                              const std::string& to, Time now);
    std::vector<Send> on_syn(const Contact& from, const Syn& s, Time now);
    Send binding_answer(size_t socket, const stun::Message& request, const stun::Endpoint& from);

    /// Counts a dropped or refused message and logs it at most once a second
    /// per kind, so a flood of garbage cannot flood the log either.
    struct Throttle {
        const char* what;
        uint64_t* counter;
        uint64_t unlogged = 0;
        Time last{};
    };
    void note(Throttle& t, const stun::Endpoint& from, const std::string& why, Time now);

    struct Connection {
        uint32_t source;
        Time opened;
        bool spoke = false;
    };
    std::vector<stun::Endpoint> udp_;
    ServerLimits limits_;
    std::unordered_map<uint64_t, Connection> connections_;
    std::unordered_map<uint32_t, size_t> connections_by_source_;
    Registry registry_;
    CookieJar cookies_;
    RateLimiter limiter_;
    RateLimiter binding_limiter_;
    ServerCounters counters_;
    bool spoofing_ = false;
    std::vector<ForgedSynAck> forged_;
    Throttle malformed_{"rejected malformed", &counters_.malformed};
    Throttle limited_{"rate-limited", &counters_.rate_limited};
    Throttle refused_{"refused", &counters_.refused};
};

}  // namespace testbed::punch
