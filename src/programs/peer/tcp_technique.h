#pragma once
/// The seed's small-TTL TCP techniques for one introduced pair, on the
/// punching port (punch/technique.h names them). It owns the connecting
/// socket and the packet socket; TcpTransport owns the listener (STUNT #2's
/// listening side is reached through it) and the paths, and carries the
/// Syn messages to and from the server.
///
///   stunt1      connect() with the small TTL; the SYN's sequence number
///               (packet socket) to the server with a spoof request; the
///               server's forged SYN-ACK completes the connect
///   stunt2      the listener: connect() with the small TTL, abort once the
///               SYN is past the NAT (its ICMP error came, or kSynPassBound
///               passed), tell the other through the server; the other:
///               an ordinary connect once told
///   natblaster  connect() with the small TTL; sequence numbers traded
///               through the server; a raw SYN-ACK of the own SYN
///               answering the other's; the other's SYN-ACK completes the
///               connect
///   *-no-ttl    the same at the normal TTL, taking turns: the side that
///               goes first sends its SYN, the other once told
///
/// What ends an attempt (an ICMP error that kills the connecting socket, a
/// reset) is kept and reported, not retried: the technique's outcome is
/// the point.

#include <poll.h>

#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "base/fd.h"
#include "programs/net/tcp.h"
#include "programs/net/tcp_raw.h"
#include "punch/clock.h"
#include "punch/protocol.h"
#include "punch/technique.h"

namespace testbed::programs {

/// How long STUNT #2's listener waits for its SYN's ICMP error before it
/// aborts anyway: the SYN passed the own NAT long before.
inline constexpr std::chrono::milliseconds kSynPassBound{200};

class TcpTechniqueRun {
  public:
    /// Opens the packet socket when the technique needs one (throws, naming
    /// CAP_NET_RAW, when it may not). Its SYN has the default TTL until
    /// set_syn_ttl (the no-TTL variants keep it).
    TcpTechniqueRun(punch::Technique technique, std::string me, std::string other, uint16_t port);

    /// The TTL found by the hop probe (or `--ttl`), before the introduction.
    void set_syn_ttl(int ttl) { syn_ttl_ = ttl; }

    /// The introduction came: `other_public` is where the other's SYNs come from.
    void introduced(const stun::Endpoint& other_public, punch::Time now);
    /// The other side's Syn, through the server.
    void on_peer_syn(const punch::Syn& syn, punch::Time now);

    /// The sockets to wait on, appended to `fds`; then handle() with the
    /// same slice after the poll.
    void add_pollfds(std::vector<pollfd>& fds) const;
    void handle(std::span<const pollfd> fds);
    /// Timers (STUNT #2's abort).
    void on_time(punch::Time now);
    punch::Time next_wake() const;

    /// A Syn message for the server, if one is due.
    std::optional<punch::Syn> take_message() { return std::exchange(message_, std::nullopt); }
    /// The connection, once the technique made one.
    std::optional<Fd> take_connection() { return std::exchange(connection_, std::nullopt); }

    /// "technique", "ttl", and what ended the attempt if something did.
    void describe(nlohmann::json& out) const;

  private:
    void send_syn(int ttl, punch::Time now);
    void on_own_syn(const SeenSegment& syn);
    void answer_with_synack();
    void connect_ended();
    void abort_and_tell();

    punch::Technique technique_;
    punch::TechniqueTraits traits_;
    std::string me_;
    std::string other_;
    uint16_t port_;
    int syn_ttl_ = kDefaultTtl;
    std::optional<SegmentWatch> watch_;
    stun::Endpoint other_public_;
    Fd connecting_;
    std::optional<SeenSegment> own_syn_;  ///< as it left: source and sequence number
    std::optional<uint32_t> their_isn_;
    bool first_ = false;     ///< where the technique takes turns: our SYN goes first
    bool listener_ = false;  ///< STUNT #2's listening side
    bool told_ = false;      ///< our Syn went to the server
    bool synack_sent_ = false;
    punch::Time abort_at_ = punch::Time::max();
    std::optional<punch::Syn> message_;
    std::optional<Fd> connection_;
    std::string ended_;    ///< what ended the attempt, for the JSON
    std::string syn_met_;  ///< STUNT #2's listener: what its small-TTL SYN met
};

}  // namespace testbed::programs
