#pragma once
/// The rendezvous protocol: the project's own STUN methods (RFC 8489 message
/// format, methods and attributes from the private ranges) for registration,
/// introduction, connection reversal, relay, and the peers' punch messages.
/// Pure: messages to and from typed structs, nothing else.

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "stun/stun.h"

namespace testbed::punch {

namespace method {
inline constexpr uint16_t register_peer = 0x0F01;  ///< request: Register; success: mapped address
inline constexpr uint16_t connect = 0x0F02;        ///< request: Connect; success: introduction sent
inline constexpr uint16_t introduce = 0x0F03;      ///< indication from the server: Introduction
inline constexpr uint16_t reversal = 0x0F04;       ///< indication: Reversal
inline constexpr uint16_t relay = 0x0F05;          ///< indication: Relay
inline constexpr uint16_t punch = 0x0F06;          ///< indication between peers: Punch
inline constexpr uint16_t syn = 0x0F07;            ///< indication: Syn (a technique's SYN is out)
}  // namespace method

namespace attr {
inline constexpr uint16_t peer_id = 0xC001;
inline constexpr uint16_t public_key = 0xC002;
inline constexpr uint16_t private_endpoint = 0xC003;  ///< XOR'd address, repeated
inline constexpr uint16_t public_endpoint = 0xC004;   ///< XOR'd address
inline constexpr uint16_t session = 0xC006;
inline constexpr uint16_t port_step = 0xC007;  ///< signed 32-bit
inline constexpr uint16_t proof = 0xC008;      ///< Ed25519 signature
inline constexpr uint16_t flags = 0xC009;
inline constexpr uint16_t data = 0xC00A;
inline constexpr uint16_t nonce = 0xC00B;            ///< the server's registration cookie
inline constexpr uint16_t mapped_endpoint = 0xC00C;  ///< XOR'd address: a gateway's port mapping
inline constexpr uint16_t sequence = 0xC00D;  ///< 32-bit: a SYN's sequence number; a Punch's count
inline constexpr uint16_t epoch = 0xC00E;     ///< 8 bytes: which of the sender's sessions sent it
inline constexpr uint16_t echo = 0xC00F;  ///< 8 bytes: the receiver's epoch, as the sender knows it
}  // namespace attr

inline constexpr size_t kMaxPeerId = 64;
inline constexpr size_t kMaxPrivateEndpoints = 8;
/// How far a sequential NAT's port step may be for prediction to try it.
inline constexpr int32_t kMaxPortStep = 1000;

using PublicKey = std::array<uint8_t, 32>;
using SessionId = std::array<uint8_t, 16>;
using Signature = std::array<uint8_t, 64>;
/// One session of one peer: random at each introduction a peer acts on, so
/// the messages of a session that ended (before a migration) are told from
/// those of the one that follows, which has the same SessionId. All zeros: none.
using Epoch = std::array<uint8_t, 8>;
/// A registration cookie: a 4-byte time bucket and a 16-byte MAC (cookie.h).
using Nonce = std::array<uint8_t, 20>;

/// Peer ids: 1 to 64 of [A-Za-z0-9._-].
bool valid_peer_id(std::string_view id);

/// Peer -> server: who I am, my key, where I can be reached privately.
/// The server registers only a request that echoes a NONCE it gave this
/// contact (return routability) with PROOF, the key's signature over the
/// nonce, key and id (possession); without them it answers with a nonce.
struct Register {
    std::string id;
    PublicKey key{};
    std::vector<stun::Endpoint> private_endpoints;
    int32_t port_step = 0;  ///< the NAT's sequential step this peer measured (0: none)
    std::optional<Nonce> nonce;
    std::optional<Signature> proof;
    /// Where the peer's gateway maps its port (UPnP, NAT-PMP, PCP), if it asked for one.
    std::optional<stun::Endpoint> mapped_endpoint = std::nullopt;
};

/// Peer -> server: introduce me to `target`.
struct Connect {
    std::string target;
};

/// Server -> both peers at once: the other peer, as the server knows it.
struct Introduction {
    std::string peer;
    PublicKey key{};
    stun::Endpoint public_endpoint;
    std::vector<stun::Endpoint> private_endpoints;
    int32_t port_step = 0;
    SessionId session{};
    /// The peer's port mapping, only when it is on the address the server
    /// sees (a mapping elsewhere is not reachable, and naming it would point
    /// the other peer at an address of the registrant's choosing).
    std::optional<stun::Endpoint> mapped_endpoint = std::nullopt;
};

/// Peer -> server: ask `peer` to connect to me; server -> peer: `peer` asks that.
struct Reversal {
    std::string peer;
};

/// Peer -> server: carry `data` to `peer`; server -> peer: `data` from `peer`.
struct Relay {
    std::string peer;
    std::vector<uint8_t> data;
};

/// Peer -> server: my SYN toward `peer` is out (a small-TTL technique:
/// STUNT, NATBlaster), with sequence number `isn`; server -> peer: `peer`'s
/// SYN toward you is out. With `spoof` (STUNT #1) the sender asks the
/// server to forge the SYN-ACKs once both sides' SYNs are out.
struct Syn {
    std::string peer;
    uint32_t isn = 0;
    bool spoof = false;
};

/// Punch message flags: what the sender knows about the path it is sent on.
namespace flag {
inline constexpr uint32_t verified = 1;     ///< sender checked the receiver's proof
inline constexpr uint32_t nominate = 2;     ///< sender (controlling) picks this path
inline constexpr uint32_t got_payload = 4;  ///< sender received the receiver's payload
inline constexpr uint32_t ping = 8;         ///< asks for a pong (liveness after a hold)
inline constexpr uint32_t pong = 16;
inline constexpr uint32_t keepalive = 32;
inline constexpr uint32_t to_mapped =
    64;  ///< the sender reaches the receiver through a port mapping
}  // namespace flag

/// Peer <-> peer, on every candidate path (and through the relay).
struct Punch {
    SessionId session{};
    std::string from;
    uint32_t flags = 0;
    Signature proof{};
    std::string payload;
    Epoch epoch{};  ///< the sender's session
    Epoch echo{};   ///< the receiver's session the sender has heard from (zeros: none yet)
    /// The sender's count of its messages on this path in this session,
    /// from 1 (0: not counted), so the receiver knows how many it missed.
    uint32_t sequence = 0;
};

/// Each struct to a STUN message of its method; `cls` is request or indication.
stun::Message to_message(const Register& r, const stun::TransactionId& t);
stun::Message to_message(const Connect& c, const stun::TransactionId& t);
stun::Message to_message(const Introduction& i);
stun::Message to_message(const Reversal& r);
stun::Message to_message(const Relay& r);
stun::Message to_message(const Punch& p);
stun::Message to_message(const Syn& s);

/// Back from a message of the right method; nullopt if an attribute is
/// missing or malformed (ids checked with valid_peer_id, counts bounded).
std::optional<Register> register_from(const stun::Message& m);
std::optional<Connect> connect_from(const stun::Message& m);
std::optional<Introduction> introduction_from(const stun::Message& m);
std::optional<Reversal> reversal_from(const stun::Message& m);
std::optional<Relay> relay_from(const stun::Message& m);
std::optional<Punch> punch_from(const stun::Message& m);
std::optional<Syn> syn_from(const stun::Message& m);

/// The NONCE a server's answer carries (a challenge, or a success for the
/// next refresh), if well-formed.
std::optional<Nonce> nonce_of(const stun::Message& m);

/// An error answer to a request: same method and transaction, ERROR-CODE.
stun::Message error_answer(const stun::Message& request, int code, const std::string& reason);

/// Hex, for logs and ids of sessions.
std::string hex(const uint8_t* bytes, size_t size);

}  // namespace testbed::punch
