#include "programs/peer/core.h"

#include <fmt/core.h>
#include <fmt/ranges.h>

#include <algorithm>

#include "base/log.h"
#include "punch/port_step.h"
#include "punch/protocol.h"

namespace testbed::programs {
namespace {

/// Never longer than this, however long the other keeps asking.
constexpr auto kLingerCap = milliseconds(10000);
constexpr int kPredictPorts = 8;
/// The lease the peer asks for; it renews at half (PortMapper).
constexpr uint32_t kLeaseSeconds = 3600;

std::string error_text(const stun::Message& m) {
    const stun::Attribute* a = m.find(stun::attr::error_code);
    if (!a || a->value.size() < 4) return "no ERROR-CODE";
    return fmt::format("{} {}", *m.error_code(), std::string(a->value.begin() + 4, a->value.end()));
}

std::string candidate_list(const std::vector<punch::Candidate>& candidates) {
    std::string list;
    for (const auto& c : candidates)
        list += fmt::format(" {}({})", c.endpoint.str(), punch::path_name(c.kind));
    return list;
}

}  // namespace

int32_t port_step_from(const std::string& label, std::span<const int> ports, uint16_t own_port) {
    int32_t found = 0;
    // The last mapping is the punching socket's: one that kept its own port
    // is no sequence to predict from.
    if (!ports.empty() && ports.back() != own_port)
        found = punch::sequential_step(ports).value_or(0);
    log::info("{}: mappings {}: {}", label, fmt::join(ports, " "),
              found ? fmt::format("sequential, step {}", found) : std::string("no sequence"));
    return found;
}

PeerCore::PeerCore(const ConnectOptions& options, PeerTransport& transport,
                   portmap::PortMapper* mapper)
    : o_(options),
      transport_(transport),
      pacing_(transport.pacing()),
      start_(Clock::now()),
      mapper_(mapper) {}

nlohmann::json PeerCore::run() {
    const Time deadline = start_ + o_.timeout;
    if (auto why = transport_.start(*this, deadline)) return failed_attempt(*why);
    self_.private_endpoints = local_endpoints(transport_.local_port());
    self_.use_private = o_.use_private;
    self_.predict_count = o_.predict ? kPredictPorts : 0;
    map_port();
    nlohmann::json out;
    if (connect_until(deadline)) {
        // The path as chosen: while the controlling side lingers its host
        // may move, and the hold records where it came from.
        held_path_ = path_summary();
        linger();
        out = success();
    } else {
        out = failure();
    }
    if (mapper_) out["port_mapping"] = port_mapping_json();
    return out;
}

/// Asks the gateway to map the punching port; the mapping goes into every
/// registration until the server's view shows it is of no use.
void PeerCore::map_port() {
    if (!mapper_) return;
    const auto transport = o_.tcp ? portmap::Transport::tcp : portmap::Transport::udp;
    const auto lease =
        mapper_->map(transport, transport_.local_port(), kLeaseSeconds, Clock::now());
    if (lease)
        log::info("{}: {} mapped {} port {} to {} for {} s", o_.id,
                  portmap::protocol_name(lease->protocol), transport_.name(),
                  transport_.local_port(), lease->external.str(), lease->lifetime_s);
    else
        log::info("{}: no port mapping: {}", o_.id, mapper_->refusals());
}

void PeerCore::judge_mapping() {
    if (!mapper_ || !mapper_->lease() || judgement_ || !mapped_) return;
    judgement_ = portmap::judge(*mapper_->lease(), *mapped_);
    if (!judgement_->useful)
        log::warning("{}: the port mapping is of no use: {}", o_.id, judgement_->why);
}

nlohmann::json PeerCore::port_mapping_json() const {
    const auto& lease = mapper_->lease();
    if (!lease) return {{"protocol", "none"}, {"useful", false}, {"why", mapper_->refusals()}};
    nlohmann::json out = {{"protocol", portmap::protocol_name(lease->protocol)},
                          {"external", lease->external.str()},
                          {"lifetime_s", lease->lifetime_s}};
    if (judgement_) {
        out["useful"] = judgement_->useful;
        if (!judgement_->useful) out["why"] = judgement_->why;
    }
    return out;
}

Time PeerCore::renew_mapping(Time t) {
    if (!mapper_) return t;
    mapper_->renew_if_due(Clock::now());
    return std::min(t, mapper_->renewal_due());
}

nlohmann::json PeerCore::failure() const {
    return failed_attempt(failure_reason());
}

std::string PeerCore::failure_reason() const {
    if (fatal_) return *fatal_;
    if (!mapped_) return fmt::format("no answer from the server {}", o_.server.str());
    if (!session_)
        return fmt::format("{} did not register with the server within {}", o_.target,
                           format_duration(o_.timeout));
    return fmt::format("no path to {} within {}{}", o_.target, format_duration(o_.timeout),
                       o_.relay ? "" : " (relay disabled)");
}

nlohmann::json PeerCore::failed_attempt(const std::string& why) const {
    nlohmann::json out = failed(o_, why);
    transport_.describe_attempt(out);
    return out;
}

/// Registers, asks for the other peer, punches; true once the session is complete.
bool PeerCore::connect_until(Time deadline) {
    Time next_register = Clock::now();
    Time next_connect = next_register;
    Time next_round = Time::max();
    Time next_reversal = Time::max();
    bool sent_register = false;
    while (!fatal_ && !(session_ && session_->complete())) {
        const Time now = Clock::now();
        if (now >= deadline) return false;
        if (now >= next_register) {
            // A second registration before an answer: the first went unanswered.
            if (!mapped_ && sent_register) loss_seen_ = true;
            sent_register = true;
            send_register();
            next_register = now + (mapped_ ? pacing_.refresh : pacing_.register_retry);
        }
        if (mapped_ && !session_ && now >= next_connect) {
            transport_.send_server(
                punch::to_message(punch::Connect{o_.target}, stun::new_transaction_id()));
            next_connect = now + pacing_.connect_retry;
        }
        if (session_ && next_round == Time::max()) {
            next_round = now;
            // The seed's connection reversal: the public side asks the
            // server to have the other side come to it.
            if (reversal_) next_reversal = now;
        }
        if (now >= next_round) {
            punch_round(now);
            next_round = now + pacing_.round;
        }
        if (now >= next_reversal) {
            transport_.send_server(punch::to_message(punch::Reversal{o_.target}));
            next_reversal = now + pacing_.reversal;
        }
        Time wake =
            std::min({next_register, next_round, next_reversal, deadline, transport_.next_wake()});
        wake = renew_mapping(wake);
        if (!session_) wake = std::min(wake, next_connect);
        transport_.pump(*this, wake);
    }
    return !fatal_;
}

/// The controlling side completes first (the other completes on its word)
/// and stays to answer the other's asking until it stops (see kLinger), or
/// until a keepalive shows the other is done and holding the path.
void PeerCore::linger() {
    if (!session_->controlling()) return;
    completed_here_ = true;
    const Time cap = Clock::now() + kLingerCap;
    last_heard_ = Clock::now();
    while (!other_holds_) {
        const Time until = std::min(cap, last_heard_ + (loss_seen_ ? kLossyLinger : kLinger));
        if (Clock::now() >= until) return;
        transport_.pump(*this, until);
    }
}

void PeerCore::send_register() {
    register_tx_ = stun::new_transaction_id();
    punch::Register r{o_.id,
                      identity_.public_key(),
                      self_.private_endpoints,
                      transport_.port_step(),
                      std::nullopt,
                      std::nullopt,
                      std::nullopt};
    if (mapper_ && mapper_->lease() && (!judgement_ || judgement_->useful))
        r.mapped_endpoint = mapper_->lease()->external;
    if (nonce_) r = identity_.sign(std::move(r), *nonce_);
    transport_.send_server(punch::to_message(r, register_tx_));
}

void PeerCore::send(PathId path, punch::Punch p) {
    p.sequence = ++sent_on_[path];
    if (!p.payload.empty()) session_->note_payload_sent(Clock::now());
    if (path != kRelayPath && kinds_.at(path) == punch::PathKind::mapped)
        p.flags |= punch::flag::to_mapped;
    const auto bytes = stun::encode(punch::to_message(p));
    if (path == kRelayPath)
        transport_.send_server(punch::to_message(punch::Relay{o_.target, bytes}));
    else
        transport_.send_path(path, bytes);
}

/// This side's message on every path, and through the relay once the punch timeout passed.
void PeerCore::punch_round(Time now) {
    for (PathId i = 0; i < kinds_.size(); ++i) {
        if (!session_->rejected(i)) send(i, round_message(i));
    }
    if (o_.relay && now - session_->introduced() >= o_.punch_timeout)
        send(kRelayPath, round_message(kRelayPath));
}

punch::Punch PeerCore::round_message(PathId path) {
    punch::Punch p = session_->message(path);
    if (session_->awaits_answer(path)) {
        p.flags |= punch::flag::ping;
        loss_seen_ = true;  // what was sent on the chosen path went unanswered a round
    }
    return p;
}

void PeerCore::lost_server(const std::string& why) {
    if (!fatal_) fatal_ = why;
}

void PeerCore::on_server(const stun::Message& m) {
    if (m.method == punch::method::register_peer && m.transaction == register_tx_) {
        on_register_answer(m);
    } else if (m.method == punch::method::connect && m.cls == stun::Class::error) {
        // 404: the other peer has not registered yet; keep asking.
        if (m.error_code() != 404)
            fatal_ = fmt::format("the server refused the introduction: {}", error_text(m));
    } else if (auto intro = punch::introduction_from(m)) {
        on_introduction(*intro);
    } else if (auto relay = punch::relay_from(m)) {
        on_relayed(*relay);
    } else if (auto syn = punch::syn_from(m)) {
        if (session_) transport_.on_syn(*syn);
    } else if (auto rev = punch::reversal_from(m)) {
        log::info("{}: {} asks for a connection reversal", o_.id, rev->peer);
        if (transport_.reversal_requested(Clock::now()) && session_ && !session_->complete())
            punch_round(Clock::now());
    }
}

/// A success carries the nonce for the next refresh; a 401 or 438 with a
/// nonce asks for this one to be signed (at once, a few times at most: the
/// server's cookie lasts 30 to 60 s, so more means something is wrong).
void PeerCore::on_register_answer(const stun::Message& m) {
    constexpr int kMaxChallenges = 3;
    const auto nonce = punch::nonce_of(m);
    const bool holding = session_ && session_->complete();
    if (m.cls == stun::Class::success && m.mapped()) {
        if (nonce) nonce_ = nonce;
        challenges_ = 0;
        // During the hold it asked where the server sees us.
        if (holding) return note_where_seen(*m.mapped());
        if (!mapped_)
            log::info("{}: registered over {}, public endpoint {}", o_.id, transport_.name(),
                      m.mapped()->str());
        mapped_ = m.mapped();
        self_.public_endpoint = *mapped_;
        judge_mapping();
    } else if (m.cls == stun::Class::error) {
        const auto code = m.error_code();
        if ((code == 401 || code == 438) && nonce && ++challenges_ <= kMaxChallenges) {
            nonce_ = nonce;
            send_register();
            return;
        }
        // During the hold it only asked where we are: the path may still work.
        if (holding)
            return log::warning("{}: the server refused a refresh: {}", o_.id, error_text(m));
        fatal_ = fmt::format("the server refused the registration: {}", error_text(m));
    }
}

void PeerCore::on_relayed(const punch::Relay& relay) {
    if (relay.peer != o_.target) return;
    auto inner = stun::decode(relay.data);
    auto* m = std::get_if<stun::Message>(&inner);
    if (auto p = m ? punch::punch_from(*m) : std::nullopt) on_punch(kRelayPath, *p);
}

void PeerCore::on_introduction(const punch::Introduction& intro) {
    if (intro.peer != o_.target) return;
    if (session_) {
        if (intro.key != session_->other().key || intro.session != session_->other().session)
            return;
        if (!session_->complete()) {
            add_candidates(intro);
        } else if (missed_a_keepalive()) {
            // During the hold, the other side asking again means it lost
            // the path; only once our side missed a keepalive too, so a
            // stray introduction cannot break a path that works.
            reintroduced_ = intro;
        }
        return;
    }
    session_.emplace(identity_, o_.id, intro, Clock::now());
    known_ = punch::candidates(self_, intro);
    reversal_ = punch::reversal_case(self_, intro) &&
                punch::is_public(self_.private_endpoints, self_.public_endpoint);
    log::info("{}: introduced to {} (public {}), {}:{}", o_.id, intro.peer,
              intro.public_endpoint.str(), reversal_ ? "reversal; candidates" : "candidates",
              candidate_list(known_));
    transport_.introduced(known_, reversal_);
}

/// The same peer introduced again while we punch: it registered anew (it
/// moved, or its NAT did) after the introduction we had, so its new
/// endpoints join the candidates (UDP; a TCP attempt keeps its connections).
void PeerCore::add_candidates(const punch::Introduction& intro) {
    if (!transport_.migrates()) return;
    std::vector<punch::Candidate> fresh;
    for (auto& c : punch::candidates(self_, intro)) {
        const bool known = std::any_of(known_.begin(), known_.end(),
                                       [&](const auto& k) { return k.endpoint == c.endpoint; });
        if (!known) fresh.push_back(c);
    }
    if (fresh.empty()) return;
    log::info("{}: introduced to {} anew (public {}), new candidates:{}", o_.id, intro.peer,
              intro.public_endpoint.str(), candidate_list(fresh));
    known_.insert(known_.end(), fresh.begin(), fresh.end());
    transport_.introduced(fresh, reversal_);
}

PathId PeerCore::open_path(punch::PathKind kind) {
    kinds_.push_back(kind);
    return kinds_.size() - 1;
}

PathId PeerCore::open_connected_path(punch::PathKind kind) {
    const PathId id = open_path(kind);
    session_->mark_two_way(id);
    send(id, session_->message(id));
    return id;
}

PathId PeerCore::open_reflexive_path(const stun::Endpoint& from) {
    const punch::PathKind kind = classify(from);
    known_.push_back({from, kind});
    log::debug("{}: peer-reflexive candidate {}", o_.id, from.str());
    return open_path(kind);
}

punch::PathKind PeerCore::classify(const stun::Endpoint& from) const {
    return punch::classify(self_, session_->other(), known_, from);
}

void PeerCore::on_punch(PathId path, const punch::Punch& p) {
    if (!session_) return;
    const auto outcome = session_->receive(path, p, Clock::now());
    if (outcome.verdict == punch::Session::Verdict::rejected) {
        if (path != kRelayPath && reported_.insert(path).second) {
            log::warning("{}: rejected {}: it claims to be {} but its proof does not check", o_.id,
                         transport_.ends(path).second.str(), o_.target);
            transport_.close_path(path);
        }
        return;
    }
    // A message of a session before a migration says nothing of this one,
    // nor that the path we hold is alive; one of a session the other began
    // after ours says it lost the path (its new introduction may be lost).
    if (outcome.restarted && session_->complete() && missed_a_keepalive())
        lost_because_ = fmt::format("{} started its session anew", o_.target);
    if (outcome.verdict != punch::Session::Verdict::accepted) return;
    receipts_[path].note(p.sequence);
    if (outcome.pong) ping_seen_ = Clock::now();
    if (session_->complete() && session_->chosen() == path) {
        // The other still asks: our last word to it was lost.
        if (outcome.pong && completed_here_) loss_seen_ = true;
        if (p.flags & punch::flag::keepalive) other_holds_ = true;
        last_heard_ = Clock::now();
    }
    // The other side reached us through our gateway's mapping: from here the
    // path looks like any other, so only its word says how it came.
    if (path != kRelayPath && (p.flags & punch::flag::to_mapped))
        kinds_.at(path) = punch::PathKind::mapped;
    if (!outcome.reply) return;
    punch::Punch reply = session_->message(path);
    if (outcome.pong) reply.flags |= punch::flag::pong;
    send(path, reply);
}

}  // namespace testbed::programs
