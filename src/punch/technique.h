#pragma once
/// The seed lecture's TCP traversal techniques, as the peer's
/// `--technique` names them, and the pure parts of them: what each needs,
/// which TTL a SYN gets from a hop-count probe, who listens in STUNT #2,
/// and the numbers a SYN-ACK carries. No sockets: the peer
/// (programs/peer/tcp_technique.h) and the server's spoofer use these.
///
///   p2pnat      both connect() to each other: simultaneous open (§4)
///   stunt1      both send a SYN that dies past their own NAT; the server
///               forges each a SYN-ACK from the other (raw, --spoof)
///   stunt2      the listener's SYN dies past its NAT, it aborts and
///               listens; the other connects through the hole
///   natblaster  both send a dying SYN, trade sequence numbers through the
///               server, then each sends the SYN-ACK of its own SYN (raw)
///   *-no-ttl    the same with the SYN at the normal TTL: the first side's
///               SYN reaches the other NAT, which drops it or answers with
///               a reset; the other sends once the server says it is out

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace testbed::punch {

enum class Technique {
    p2pnat,
    stunt1,
    stunt2,
    natblaster,
    stunt1_no_ttl,
    stunt2_no_ttl,
    natblaster_no_ttl,
};

/// Every technique, in the order of the seed's table.
std::span<const Technique> all_techniques();
/// The option's spelling: "p2pnat", "stunt1", ..., "natblaster-no-ttl".
std::string_view technique_name(Technique t);
std::optional<Technique> technique_named(std::string_view name);
/// "p2pnat, stunt1, ..." for usage errors.
std::string technique_names();

/// What a technique does and needs.
struct TechniqueTraits {
    bool small_ttl;         ///< its SYN should die past the own NAT
    bool learns_sequence;   ///< reads its SYN's sequence number (packet socket: CAP_NET_RAW)
    bool sends_raw;         ///< writes a SYN-ACK itself (raw socket: CAP_NET_RAW)
    bool server_spoofs;     ///< needs the server's forged SYN-ACKs (`rendezvous --spoof`)
    bool one_side_listens;  ///< STUNT #2: one side aborts its SYN and listens
    /// One side's SYN goes first and the other's follows on its `syn`
    /// through the server: STUNT #2 (the listener's), and the no-TTL
    /// variants, whose premise is a first SYN that reaches the other NAT
    /// before that NAT has sent (without turns the SYNs could cross, and
    /// the outcome would be P2P-NAT's race).
    bool takes_turns;
};
TechniqueTraits traits(Technique t);
/// Whether it needs CAP_NET_RAW on the peer's host.
bool needs_raw_sockets(Technique t);

/// Who goes first where a technique takes turns: the peer whose id sorts
/// first (STUNT #2's listener). Both sides decide alike without a message.
bool goes_first(std::string_view me, std::string_view other);

/// What a SYN of some TTL to the own public address met.
enum class HopAnswer {
    reached,  ///< the outermost NAT itself answered (a reset, or a connection)
    expired,  ///< an ICMP error from a router before it
    silent,   ///< nothing within the probe's wait
};

/// The TTL of a SYN that passes the own NAT and dies at the first router
/// beyond it. `probe(ttl)` sends a SYN to the own public address (the
/// outermost NAT's) with that TTL: the first TTL it reaches is the number
/// of routers up to and including that NAT, and one more gets through it.
/// Probes TTL 1 to `max_hops` in order and stops at the first answer;
/// nullopt when none reached it.
struct HopCount {
    int hops = 0;  ///< routers up to and including the outermost NAT
    int ttl = 0;   ///< hops + 1
};
std::optional<HopCount> find_hop_count(const std::function<HopAnswer(int ttl)>& probe,
                                       int max_hops);

/// The sequence and acknowledgment numbers of the SYN-ACK that answers a
/// SYN with sequence number `syn_isn`, sent by the side whose own SYN had
/// `own_isn`: seq is the sender's ISN, ack the SYN's plus one (mod 2^32).
struct SynAckNumbers {
    uint32_t seq;
    uint32_t ack;
};
SynAckNumbers syn_ack_numbers(uint32_t own_isn, uint32_t syn_isn);

}  // namespace testbed::punch
