#pragma once
/// `peer --connect`'s decisions, once for UDP and TCP: registration and its
/// refresh, the introduction and the candidates, the proofs on every path
/// (punch::Session), connection reversal, relay fallback after the punch
/// timeout, the chosen path, the hold with keepalives and the liveness
/// check, migration to a new path when the chosen one is lost during the
/// hold (this host sends from another address, the server sees it at
/// another endpoint, the other side started over, or a silence the path's
/// loss does not explain), the gateway's port mapping as a candidate, and
/// the JSON of the output contract. The transport only moves messages
/// (transport.h).

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "programs/peer/connect.h"
#include "programs/peer/transport.h"
#include "programs/portmap/mapper.h"
#include "punch/auth.h"
#include "punch/session.h"
#include "punch/silence.h"

namespace testbed::programs {

/// How long the side that completes first stays after the other went
/// quiet (and a side that answered the liveness ping on a lossy transport
/// stays for later pings): the other asks every round until it has our
/// word, so silence means it has it.
inline constexpr auto kLinger = milliseconds(300);
/// Longer once this session lost something, where three rounds of asking
/// can all be lost too.
inline constexpr auto kLossyLinger = milliseconds(2000);

/// The connection (core.cc) and what follows it (hold.cc: the chosen
/// path's JSON, the hold, migration, the liveness check).
class PeerCore {
  public:
    /// `mapper`: asks the gateway for a mapping of the punching port before
    /// registering (null: no port mapping).
    PeerCore(const ConnectOptions& options, PeerTransport& transport,
             portmap::PortMapper* mapper = nullptr);

    /// Connects (or fails) and returns the JSON; never throws for network conditions.
    nlohmann::json run();

    // What the transport hands in.
    void on_server(const stun::Message& m);
    void on_punch(punch::PathId path, const punch::Punch& p);
    /// The server cannot be reached any more: the attempt ends with `why`.
    void lost_server(const std::string& why);
    /// A path to a candidate of the introduction (in candidate order).
    punch::PathId open_path(punch::PathKind kind);
    /// A path proven two-way by the transport (an established connection):
    /// this side's message goes out on it at once.
    punch::PathId open_connected_path(punch::PathKind kind);
    /// A path from an endpoint no candidate named (a fresh mapping of a
    /// symmetric NAT: a peer-reflexive candidate).
    punch::PathId open_reflexive_path(const stun::Endpoint& from);
    /// The kind of a path that came from `from`.
    punch::PathKind classify(const stun::Endpoint& from) const;
    bool introduced() const { return session_.has_value(); }
    const std::string& id() const { return o_.id; }

  private:
    bool connect_until(punch::Time deadline);
    nlohmann::json failure() const;
    /// Why the attempt found no path, for its JSON.
    std::string failure_reason() const;
    /// The JSON of an attempt that failed for `why`, with what the transport adds.
    nlohmann::json failed_attempt(const std::string& why) const;
    nlohmann::json success();
    /// The chosen path's part of the JSON (result, path, ends, timing, mapped).
    nlohmann::json path_json() const;
    /// Where the chosen path goes, for a migration's record.
    nlohmann::json path_summary() const;
    void send_register();
    void on_register_answer(const stun::Message& m);
    void send(punch::PathId path, punch::Punch p);
    void punch_round(punch::Time now);
    /// What a round sends on `path`: asking for a pong where an answer is due.
    punch::Punch round_message(PathId path);
    void linger();
    void on_introduction(const punch::Introduction& intro);
    void add_candidates(const punch::Introduction& intro);
    void on_relayed(const punch::Relay& relay);
    bool hold();
    /// Starts watching the path just chosen: heard from now.
    void watch_silence();
    /// Whether a silent path is found anew (migrate()) during the hold.
    bool migrating() const;
    /// Migrating, and the held path missed a keepalive by now: only then
    /// does word that the other lost the path count, so a stray or replayed
    /// message cannot break a path that works.
    bool missed_a_keepalive() const;
    /// What came of the other's messages on the chosen path.
    const punch::Receipts& held_receipts() const;
    /// How long the liveness check waits for a pong (or a ping): the round
    /// trips the path's loss needs (punch::round_trips_to_try), 1.5 s to 10 s.
    Duration liveness_wait() const;
    void log_hold() const;
    /// Why the held path is lost when this host sends toward it from
    /// another address than the path began with (renumbered, moved).
    std::optional<std::string> moved() const;
    /// The server's answer to a refresh during the hold: the held path is
    /// lost (lost_because_) when it has gone quiet and the server sees this host
    /// at another public endpoint than before (its NAT got a new address or
    /// lost its mappings).
    void note_where_seen(const stun::Endpoint& seen);
    /// Once a keepalive interval during the hold: moved() and ask_where_seen().
    void check_where_we_are();
    /// Asks the server where it sees us (a refresh of the registration,
    /// whose answer says whether our mapping changed, note_where_seen()): every
    /// pacing_.refresh, which keeps the registration and the mapping toward
    /// the server alive through a long hold, and once the held path was
    /// silent three intervals (again every three while it stays so).
    void ask_where_seen();
    /// Why the held path counts as lost now, for the migration's record.
    std::string why_lost() const;
    /// The session starts over: registration (unless `intro` came, which
    /// shows the server reaches us as registered), introduction, punching;
    /// recorded in migrations_. False when no path came within --timeout.
    bool migrate(const std::string& why, std::optional<punch::Introduction> intro);
    bool await_liveness(punch::PathId chosen);
    void answer_pings();
    void map_port();
    void judge_mapping();
    nlohmann::json port_mapping_json() const;
    /// The earliest of `t` and the mapping's renewal, renewing it when due.
    Time renew_mapping(Time t);

    const ConnectOptions& o_;
    PeerTransport& transport_;
    PeerTransport::Pacing pacing_;
    punch::Identity identity_;
    punch::Time start_;
    punch::SelfView self_;
    std::optional<stun::Endpoint> mapped_;
    stun::TransactionId register_tx_{};
    std::optional<punch::Nonce> nonce_;  ///< the server's latest, signed into registrations
    int challenges_ = 0;                 ///< nonces in a row without a registration
    std::optional<std::string> fatal_;
    std::optional<punch::Session> session_;
    std::vector<punch::Candidate> known_;  ///< candidates, then peer-reflexive ones
    std::vector<punch::PathKind> kinds_;   ///< by PathId
    std::set<punch::PathId> reported_;     ///< rejections already logged
    bool reversal_ = false;                ///< this side is the public one
    std::optional<punch::Time> ping_seen_;
    bool loss_seen_ = false;       ///< something this session sent went unanswered
    bool completed_here_ = false;  ///< lingering after completion
    punch::Time last_heard_{};     ///< the other's last message on the chosen path, once complete
    bool other_holds_ = false;     ///< a keepalive came: the other side is done and holding
    /// This session's messages sent on each path so far (their sequence numbers).
    std::map<punch::PathId, uint32_t> sent_on_;
    /// What came of the other's on each path: how long a silence means loss.
    std::map<punch::PathId, punch::Receipts> receipts_;
    /// A new introduction to the same peer during the hold: it lost the path and asked again.
    std::optional<punch::Introduction> reintroduced_;
    /// A sign during the hold that the path is lost, as the migration's
    /// reason: this host sends from another address (moved()), the server
    /// sees it elsewhere (note_where_seen()), or the other's messages of a
    /// session it began after ours came.
    std::optional<std::string> lost_because_;
    /// Where the server saw this host while the held path carried the other's word.
    std::string server_sees_;
    /// When the hold last asked the server where it sees us.
    punch::Time asked_where_{};
    nlohmann::json migrations_ = nlohmann::json::array();
    size_t stale_before_ = 0;  ///< stale messages the sessions before this one ignored
    /// The path the hold keeps, as it was when it was chosen (the local
    /// address may be gone since).
    nlohmann::json held_path_;
    portmap::PortMapper* mapper_;  ///< holds the gateway's mapping of our port, if any
    std::optional<portmap::Judgement> judgement_;  ///< once the server said what it sees
};

}  // namespace testbed::programs
