#pragma once
/// The rendezvous server's state, pure (time is passed in) so it is tested
/// without sockets: registrations bound to a key and to the contact they came
/// from, introductions (a session per pair), the relay permission that
/// follows from an introduction, and per-source rate limits. Every table is
/// bounded; entries expire.

#include <array>
#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <variant>

#include "punch/clock.h"
#include "punch/protocol.h"

namespace testbed::punch {

/// Where a peer's messages come from and answers go: a UDP source endpoint,
/// or a TCP connection (by the server's id for it).
struct Contact {
    bool tcp = false;
    stun::Endpoint endpoint;
    uint64_t connection = 0;
    auto operator<=>(const Contact&) const =
        default;  // NOLINT(modernize-use-nullptr): a clang-tidy false positive on defaulted <=>
};

struct RegistryLimits {
    size_t max_peers = 4096;
    std::chrono::seconds lifetime{30};  ///< a registration unless refreshed
    size_t max_pairs = 8192;
    std::chrono::seconds pair_lifetime{120};  ///< relay permission after an introduction
    /// Registrations from one source address at most: one host cannot take
    /// the whole table (a NAT's many peers share an address: generous).
    size_t max_per_source = 64;
};

class Registry {
  public:
    explicit Registry(RegistryLimits limits = {}) : limits_(limits) {}

    enum class Status { ok, full, taken, quota };
    /// Registers (or refreshes) `r` as seen from `from`. An id held by a
    /// different key is `taken` until it expires; a contact holds one id; a
    /// source address holds at most max_per_source (`quota`). When the
    /// table is full, the source holding the most registrations gives up
    /// its least recently active one if it holds at least two more than
    /// `from`'s source (so a host with one registration is never evicted,
    /// and a host cannot take a slot from one with as many as it has);
    /// otherwise `full`. The caller checked the registration's proofs.
    Status add(const Register& r, const Contact& from, Time now);

    struct Peer {
        Register registration;
        Contact contact;
        Time expires;
        Time active;  ///< last registration, introduction or forwarded message
    };
    /// The live registration of `id`.
    const Peer* find(const std::string& id, Time now) const;
    /// The id registered from `from`, if live.
    const Peer* at(const Contact& from, Time now) const;

    /// Both halves of an introduction: what to send to whom.
    struct Introductions {
        Contact requester;
        Introduction for_requester;
        Contact target;
        Introduction for_target;
    };
    enum class Refusal { not_registered, unknown_target, self, full };
    /// The requester (found by contact) asks to meet `target`. A pair keeps
    /// its session while the permission lives, so both peers asking give one
    /// session.
    std::variant<Introductions, Refusal> connect(const Contact& from, const std::string& target,
                                                 Time now);
    /// Whether `a` and `b` were introduced and the permission is live (relay
    /// and reversal are allowed only then).
    bool introduced(const std::string& a, const std::string& b, Time now) const;

    /// STUNT #1: `from`'s SYN toward `to` left with sequence number `isn`,
    /// and it asks for the forged SYN-ACKs. Once both peers of a live
    /// introduction have asked, returns both numbers (from's, to's) and
    /// forgets them, so a pair of requests makes one pair of SYN-ACKs; a
    /// repeated request replaces the earlier number.
    std::optional<std::pair<uint32_t, uint32_t>> syn_out(const std::string& from,
                                                         const std::string& to, uint32_t isn,
                                                         Time now);

    /// `id` did something worth keeping it for (a relay, a reversal).
    void touch(const std::string& id, Time now);
    /// Drops the registrations made over a TCP connection that closed.
    void forget(const Contact& contact);
    /// Drops what has expired.
    void expire(Time now);
    size_t peers() const { return peers_.size(); }
    size_t pairs() const { return pairs_.size(); }

  private:
    struct Pair {
        SessionId session;
        Time expires;
        /// STUNT #1's sequence numbers, by side: [0] of the pair key's first id.
        std::array<std::optional<uint32_t>, 2> syn{};
    };
    RegistryLimits limits_;
    std::map<std::string, Peer> peers_;
    std::map<Contact, std::string> by_contact_;
    std::unordered_map<uint32_t, size_t> per_source_;  ///< registrations by source address
    std::map<std::pair<std::string, std::string>, Pair> pairs_;

    void erase(std::map<std::string, Peer>::iterator it);
    bool evict_for(Ipv4 newcomer);
    void count(Ipv4 source, bool add);
    static std::pair<std::string, std::string> key(const std::string& a, const std::string& b);
};

/// Per-source token buckets over a bounded table: `rate` messages a second,
/// bursts of `burst`. rate 0 turns limiting off.
class RateLimiter {
  public:
    RateLimiter(double rate, double burst, size_t max_sources = 4096)
        : rate_(rate), burst_(burst), max_sources_(max_sources) {}
    /// Whether a message from `source` may be handled now (spends a token).
    bool allow(Ipv4 source, Time now);
    size_t sources() const { return buckets_.size(); }

  private:
    struct Bucket {
        double tokens;
        Time last;
    };
    double rate_;
    double burst_;
    size_t max_sources_;
    std::unordered_map<uint32_t, Bucket> buckets_;
};

}  // namespace testbed::punch
