#pragma once
/// `peer --connect`'s decisions, once for UDP and TCP: registration and its
/// refresh, the introduction and the candidates, the proofs on every path
/// (punch::Session), connection reversal, relay fallback after the punch
/// timeout, the chosen path, the hold with keepalives and the liveness
/// check, the gateway's port mapping as a candidate, and the JSON of the
/// output contract. The transport only moves messages (transport.h).

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

namespace testbed::programs {

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
    void send_register();
    void on_register_answer(const stun::Message& m);
    void send(punch::PathId path, punch::Punch p);
    void punch_round(punch::Time now);
    /// What a round sends on `path`: asking for a pong where an answer is due.
    punch::Punch round_message(PathId path);
    void linger();
    void on_introduction(const punch::Introduction& intro);
    void on_relayed(const punch::Relay& relay);
    void pump_until(punch::Time until);
    bool hold(punch::PathId chosen);
    bool await_liveness(punch::PathId chosen);
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
    portmap::PortMapper* mapper_;  ///< holds the gateway's mapping of our port, if any
    std::optional<portmap::Judgement> judgement_;  ///< once the server said what it sees
};

}  // namespace testbed::programs
