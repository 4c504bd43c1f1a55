#pragma once
/// One introduction, seen from one peer: the candidate paths to the other
/// peer and the state of the authentication on each, pure (time passed in),
/// so the UDP and TCP drivers share it and tests drive it without sockets.
///
/// On every path each side sends Punch messages carrying its proof (see
/// auth.h). A path is up when this side checked the other's proof and the
/// other says it checked ours (flag `verified`). The controlling side (the
/// smaller id) picks the first path that is up and sends its payload there
/// with `nominate`; the other side answers with its payload on that path.
/// The session is complete when both payloads crossed on the chosen path.
///
/// A peer that loses its path starts a new Session with the same SessionId
/// (the server keeps one per pair), so every message carries this side's
/// epoch and echoes the other's: a message that echoes an epoch not ours,
/// or comes from another epoch of the other than the one that answered us,
/// is from a session that ended and changes nothing here (it is `stale`).
/// Until the other has echoed ours, its messages only prove who it is: its
/// flags and payload speak of a session it has not yet seen from us.

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "punch/auth.h"
#include "punch/clock.h"
#include "punch/protocol.h"

namespace testbed::punch {

/// How a path reaches the other peer (the spec's `path` values).
enum class PathKind { private_lan, public_nat, hairpin, predicted, reversal, relay, mapped };
std::string path_name(PathKind kind);

struct Candidate {
    stun::Endpoint endpoint;
    PathKind kind = PathKind::public_nat;
};

/// What this peer knows of itself when the introduction comes.
struct SelfView {
    std::vector<stun::Endpoint> private_endpoints;
    stun::Endpoint public_endpoint;
    bool use_private = true;  ///< false with --no-private
    int predict_count = 0;    ///< ports to try past the other's mapped port (--predict)
};

/// Whether the peer described is reachable as is (its public endpoint is one
/// of its own addresses: no NAT in front of it).
bool is_public(const std::vector<stun::Endpoint>& private_endpoints, const stun::Endpoint& pub);

/// Whether this is the seed's connection-reversal case: exactly one side public.
bool reversal_case(const SelfView& self, const Introduction& other);

/// The endpoints to try for `other`, in sending order: its gateway's port
/// mapping first (reachable from anywhere by the gateway's promise), then
/// predicted ports (a sequential NAT hands out ports in the order packets
/// leave, and both sides send in the same order), then the public endpoint,
/// then private ones.
std::vector<Candidate> candidates(const SelfView& self, const Introduction& other);

/// The kind of a path that showed up from an endpoint not in the list (a
/// symmetric NAT's fresh mapping: a peer-reflexive candidate).
PathKind classify(const SelfView& self, const Introduction& other,
                  const std::vector<Candidate>& known, const stun::Endpoint& from);

using PathId = size_t;

class Session {
  public:
    Session(const Identity& me, std::string my_id, Introduction other, Time introduced,
            Epoch epoch = random_epoch());

    const Introduction& other() const { return other_; }
    bool controlling() const { return my_id_ < other_.peer; }
    Time introduced() const { return introduced_; }

    /// The message to send on `path` now, with this side's state of it.
    Punch message(PathId path) const;

    enum class Verdict { ignored, rejected, accepted };
    struct Outcome {
        Verdict verdict = Verdict::ignored;
        bool reply = false;  ///< send message(path) back now (with pong if asked)
        bool pong = false;   ///< the message asked for a pong
        /// Ignored as stale, from an epoch of the other's that has not heard
        /// ours: after ours was answered, the other started a session anew.
        bool restarted = false;
    };
    /// Handles a Punch that arrived on `path`. A wrong session or sender is
    /// ignored; a bad proof rejects the path for good; a message of an epoch
    /// that ended is ignored and counted (stale()).
    Outcome receive(PathId path, const Punch& p, Time now);

    /// Marks a path as proven two-way by its transport (an established TCP
    /// connection): it is up as soon as the other's proof checks, without
    /// waiting for the other to say it checked ours. The nomination that
    /// follows carries our proof, so the other side still checks it first.
    void mark_two_way(PathId path) { paths_[path].two_way = true; }

    bool rejected(PathId path) const;
    bool complete() const;
    /// Whether this side still waits for an answer on `path`: it is the
    /// chosen one and the session is not complete. Its periodic messages
    /// there then ask for a pong, since a side that lacks only the other's
    /// word that our payload arrived sends nothing the other would answer
    /// by itself: when that word is lost, only a ping brings it again.
    bool awaits_answer(PathId path) const { return chosen_ == path && !complete(); }
    std::optional<PathId> chosen() const { return chosen_; }
    /// When the chosen path came up (both ways authenticated).
    std::optional<Time> chosen_up() const;
    std::optional<Time> completed() const { return completed_; }
    /// When this side sent its payload on the chosen path (for rtt).
    std::optional<Time> payload_sent() const { return payload_sent_; }
    void note_payload_sent(Time now);
    const std::string& payload_received() const { return payload_received_; }
    std::string payload() const { return "hello from " + my_id_; }
    std::optional<Time> last_pong() const { return last_pong_; }
    size_t rejections() const { return rejections_; }
    /// Messages of an earlier session of either side, ignored.
    size_t stale() const { return stale_; }
    const Epoch& epoch() const { return epoch_; }

  private:
    struct PathState {
        bool got_proof = false;
        bool they_verified = false;
        bool got_payload = false;
        bool they_got_payload = false;
        bool rejected = false;
        bool two_way = false;
        std::optional<Time> up;
    };
    const Identity& me_;
    std::string my_id_;
    Introduction other_;
    Time introduced_;
    Signature proof_;
    Epoch epoch_;
    Epoch other_epoch_{};      ///< the other's epoch we echo (zeros: none yet)
    bool heard_back_ = false;  ///< the other echoed ours: other_epoch_ is its session
    std::map<PathId, PathState> paths_;
    std::optional<PathId> chosen_;
    std::optional<Time> completed_;
    std::optional<Time> payload_sent_;
    std::optional<Time> last_pong_;
    std::string payload_received_;
    size_t rejections_ = 0;
    size_t stale_ = 0;

    /// Whether `p` is of an ended session; else notes the other's epoch.
    bool stale_epoch(const Punch& p);
};

}  // namespace testbed::punch
