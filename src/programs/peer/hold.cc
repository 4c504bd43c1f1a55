// PeerCore once connected: the JSON of the chosen path, the hold with its
// keepalives, migration to a new path when the held one goes silent, and
// the liveness check at the end.

#include <fmt/core.h>

#include "base/error.h"
#include "base/log.h"
#include "programs/peer/core.h"

namespace testbed::programs {
namespace {

/// The liveness check waits at least this long, and at most the longer one,
/// however lossy the path (punch::round_trips_to_try).
constexpr auto kLivenessWait = milliseconds(1500);
constexpr auto kMaxLivenessWait = milliseconds(10000);
static_assert(punch::kMaxRoundTrips * 100 >= 10000, "a 100 ms round reaches the longest wait");

}  // namespace

nlohmann::json PeerCore::path_json() const {
    const PathId chosen = *session_->chosen();
    const auto kind = chosen == kRelayPath ? punch::PathKind::relay : kinds_.at(chosen);
    const auto [local, remote] = transport_.ends(chosen);
    nlohmann::json out = connected(o_, *session_, kind, local, remote);
    transport_.describe(chosen, out);
    transport_.describe_attempt(out);
    // Unknown when the other side's request brought the introduction
    // before the answer to our registration came (it was lost).
    if (mapped_) out["mapped"] = mapped_->str();
    if (transport_.port_step() != 0) out["port_step"] = transport_.port_step();
    out["rejected_paths"] = session_->rejections();
    return out;
}

nlohmann::json PeerCore::path_summary() const {
    const nlohmann::json full = path_json();
    nlohmann::json out;
    for (const char* key : {"result", "path", "local", "remote", "mapped"}) out[key] = full[key];
    return out;
}

nlohmann::json PeerCore::success() {
    nlohmann::json out = path_json();
    if (o_.hold > Duration::zero()) {
        out["held_ms"] = std::chrono::duration_cast<milliseconds>(o_.hold).count();
        const bool held = hold();
        if (migrating()) {
            // The path at the end is the last migration's.
            if (held && !migrations_.empty()) out.update(path_json());
            out["migrated"] = migrations_.size();
            out["migrations"] = migrations_;
            out["stale_messages"] = stale_before_ + (session_ ? session_->stale() : 0);
        }
        if (!held) {
            std::string why = o_.keepalive > Duration::zero() ? "" : " (no keepalives)";
            if (!migrations_.empty() && migrations_.back().contains("error"))
                why = " and no new path came: " + migrations_.back()["error"].get<std::string>();
            out["result"] = "failed";
            out["error"] = fmt::format("the path went silent during the {} hold{}",
                                       format_duration(o_.hold), why);
        }
    }
    return out;
}

void PeerCore::watch_silence() {
    last_heard_ = Clock::now();
    asked_where_ = last_heard_;  // registered just now
    server_sees_ = held_path_.contains("mapped") && held_path_.at("mapped").is_string()
                       ? held_path_.at("mapped").get<std::string>()
                       : "";
}

bool PeerCore::migrating() const {
    return o_.migrate && o_.keepalive > Duration::zero() && transport_.migrates();
}

bool PeerCore::missed_a_keepalive() const {
    return migrating() && Clock::now() - last_heard_ > o_.keepalive;
}

Duration PeerCore::liveness_wait() const {
    const int trips = punch::round_trips_to_try(held_receipts());
    return std::clamp<Duration>(pacing_.round * trips, kLivenessWait, kMaxLivenessWait);
}

const punch::Receipts& PeerCore::held_receipts() const {
    static const punch::Receipts none;
    auto it = receipts_.find(*session_->chosen());
    return it == receipts_.end() ? none : it->second;
}

void PeerCore::log_hold() const {
    const punch::Receipts& r = held_receipts();
    log::info("{}: holding the path to {} for {} ({} of the {} messages {} sent on it came)", o_.id,
              transport_.ends(*session_->chosen()).second.str(), format_duration(o_.hold),
              r.heard(), r.heard() + r.missed(), o_.target);
}

std::optional<std::string> PeerCore::moved() const {
    const std::string was = held_path_.value("local", "");
    std::string now;
    try {
        now = transport_.ends(*session_->chosen()).first.str();
    } catch (const SystemError& e) {
        now = fmt::format("none ({})", e.what());
    }
    if (was.empty() || now == was) return std::nullopt;
    return fmt::format("this host sends to {} from {} now, not {}", o_.target, now, was);
}

void PeerCore::note_where_seen(const stun::Endpoint& seen) {
    // While the path still carries the other's word, a new mapping toward
    // the server (a symmetric NAT's, timed out between two refreshes) says
    // nothing of it: it is only what the next answer is compared with.
    if (!missed_a_keepalive() || server_sees_.empty()) {
        if (!server_sees_.empty() && seen.str() != server_sees_)
            log::info("{}: the server sees this host at {} now, not {} (the path still works)",
                      o_.id, seen.str(), server_sees_);
        server_sees_ = seen.str();
    } else if (seen.str() != server_sees_) {
        lost_because_ =
            fmt::format("the server sees this host at {} now, not {}", seen.str(), server_sees_);
    }
}

void PeerCore::check_where_we_are() {
    // As a host's stack would on a change of its addresses: a mapping of
    // the old address gets nothing back.
    if (auto why = moved()) lost_because_ = std::move(why);
    ask_where_seen();
}

void PeerCore::ask_where_seen() {
    const Time now = Clock::now();
    const Duration suspect = o_.keepalive * punch::kMinSilentIntervals;
    const bool due = now - asked_where_ >= pacing_.refresh;
    const bool silent = now - last_heard_ >= suspect &&
                        (asked_where_ < last_heard_ || now - asked_where_ >= suspect);
    if (!due && !silent) return;
    asked_where_ = now;
    send_register();
}

std::string PeerCore::why_lost() const {
    if (lost_because_) return *lost_because_;
    if (reintroduced_) return fmt::format("{} asked the server to introduce us anew", o_.target);
    const punch::Receipts& r = held_receipts();
    return fmt::format(
        "no word from {} on the path for {} ({} of its {} messages came before)", o_.target,
        format_duration(std::chrono::duration_cast<Duration>(Clock::now() - last_heard_)),
        r.heard(), r.heard() + r.missed());
}

/// Keeps the chosen path for the hold (with keepalives), then checks it
/// still carries a ping. While migrating(), a path silent for longer than
/// the loss its messages showed explains (silence.h), or word that the
/// other side lost it first (introduced anew, or a new session of its
/// own), starts the session over on whatever path works now.
bool PeerCore::hold() {
    // From the completion, as the other side counts it too: the controlling
    // side's linger must not shift its hold past the other's liveness check.
    const Time end = session_->completed().value_or(Clock::now()) + o_.hold;
    Time next_keepalive = Clock::now();
    watch_silence();
    log_hold();
    while (Clock::now() < end) {
        // migrating() needs keepalives, so the path is watched.
        const Duration silence =
            migrating() ? punch::silence_limit(o_.keepalive, held_receipts()) : Duration::zero();
        if (migrating() &&
            (lost_because_ || reintroduced_ || Clock::now() - last_heard_ >= silence)) {
            const std::string why = why_lost();  // before the introduction is taken
            if (!migrate(why, std::exchange(reintroduced_, std::nullopt))) return false;
            next_keepalive = Clock::now();
            watch_silence();
            continue;
        }
        if (o_.keepalive > Duration::zero() && Clock::now() >= next_keepalive) {
            punch::Punch k = session_->message(*session_->chosen());
            k.flags |= punch::flag::keepalive;
            send(*session_->chosen(), k);
            next_keepalive += o_.keepalive;
            if (migrating()) check_where_we_are();
        }
        // A keepalive of the other's that did not come: this path loses.
        if (o_.keepalive > Duration::zero() && Clock::now() - last_heard_ > o_.keepalive * 3 / 2)
            loss_seen_ = true;
        Time wake = o_.keepalive > Duration::zero() ? std::min(end, next_keepalive) : end;
        if (migrating()) wake = std::min(wake, last_heard_ + silence);
        transport_.pump(*this, renew_mapping(wake));
    }
    return await_liveness(*session_->chosen());
}

bool PeerCore::migrate(const std::string& why, std::optional<punch::Introduction> intro) {
    const Time began = Clock::now();
    nlohmann::json record = {
        {"at_ms", std::chrono::duration_cast<milliseconds>(began - start_).count()},
        {"silent_ms", std::chrono::duration_cast<milliseconds>(began - last_heard_).count()},
        {"why", why},
        {"from", held_path_}};
    log::info("{}: {}; finding a path anew", o_.id, why);
    stale_before_ += session_->stale();
    session_.reset();
    known_.clear();
    kinds_.clear();
    reported_.clear();
    ping_seen_.reset();
    sent_on_.clear();
    receipts_.clear();
    lost_because_.reset();
    loss_seen_ = false;
    completed_here_ = false;
    other_holds_ = false;
    transport_.forget_paths();
    // The host may have a new address (renumbered, moved).
    self_.private_endpoints = local_endpoints(transport_.local_port());
    if (intro)
        on_introduction(*intro);
    else
        mapped_.reset();  // the server must see where we are now before it introduces us
    const bool found = connect_until(Clock::now() + o_.timeout);
    if (found) linger();
    record["took_ms"] = std::chrono::duration_cast<milliseconds>(Clock::now() - began).count();
    if (found) {
        record["to"] = held_path_ = path_summary();
        log::info("{}: migrated to {} ({})", o_.id, record["to"]["remote"].get<std::string>(),
                  record["to"]["path"].get<std::string>());
    } else {
        record["error"] = failure_reason();
        log::warning("{}: no new path: {}", o_.id, record["error"].get<std::string>());
    }
    migrations_.push_back(std::move(record));
    return found;
}

/// The other pings every round until one of our pongs reaches it: stay
/// while it still pings (a lossy path can eat several pongs), until it has
/// been quiet for kLinger, or kLossyLinger once pings came with gaps (lost
/// ones) or the session lost something before; liveness_wait() at most.
void PeerCore::answer_pings() {
    const Time cap = Clock::now() + liveness_wait();
    Time last = *ping_seen_;
    for (;;) {
        const Time until = std::min(cap, last + (loss_seen_ ? kLossyLinger : kLinger));
        if (Clock::now() >= until) return;
        transport_.pump(*this, until);
        if (*ping_seen_ == last) continue;
        if (*ping_seen_ - last > pacing_.round * 3 / 2) loss_seen_ = true;
        last = *ping_seen_;
    }
}

/// The controlling side pings until a pong comes (once on a reliable
/// transport); the other side waits for a ping, and on a lossy one stays
/// a little to answer the pings that follow.
bool PeerCore::await_liveness(PathId chosen) {
    // As long as the loss the path showed needs: both sides learnt about
    // the same rate from the other's messages, so they wait alike.
    const Duration wait = liveness_wait();
    const Time asked = Clock::now();
    const Time give_up = asked + wait;
    Time next_ping = asked;
    while (Clock::now() < give_up) {
        if (session_->controlling()) {
            if (session_->last_pong() && *session_->last_pong() >= asked) return true;
            if (Clock::now() >= next_ping) {
                punch::Punch ping = session_->message(chosen);
                ping.flags |= punch::flag::ping;
                send(chosen, ping);
                next_ping = pacing_.reliable ? Time::max() : next_ping + pacing_.round;
            }
        } else if (ping_seen_ && *ping_seen_ >= asked - kLivenessWait) {
            // A ping shortly before our own end counts: the other side's
            // hold may end first (it completed first), and it stops pinging
            // at its first pong. Not the whole wait back: the punch rounds'
            // pings of a lossy path came then, and would pass for an answer.
            if (!pacing_.reliable) answer_pings();
            return true;
        }
        transport_.pump(*this, session_->controlling() ? std::min(give_up, next_ping) : give_up);
    }
    return false;
}

}  // namespace testbed::programs
