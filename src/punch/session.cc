#include "punch/session.h"

#include <algorithm>

namespace testbed::punch {

std::string path_name(PathKind kind) {
    switch (kind) {
        case PathKind::private_lan:
            return "private";
        case PathKind::public_nat:
            return "public";
        case PathKind::hairpin:
            return "hairpin";
        case PathKind::predicted:
            return "predicted";
        case PathKind::reversal:
            return "reversal";
        case PathKind::relay:
            return "relay";
        case PathKind::mapped:
            return "mapped";
    }
    return "unknown";
}

bool is_public(const std::vector<stun::Endpoint>& private_endpoints, const stun::Endpoint& pub) {
    return std::find(private_endpoints.begin(), private_endpoints.end(), pub) !=
           private_endpoints.end();
}

bool reversal_case(const SelfView& self, const Introduction& other) {
    return is_public(self.private_endpoints, self.public_endpoint) !=
           is_public(other.private_endpoints, other.public_endpoint);
}

namespace {

PathKind public_kind(const SelfView& self, const Introduction& other) {
    if (reversal_case(self, other)) return PathKind::reversal;
    if (other.public_endpoint.ip == self.public_endpoint.ip &&
        !is_public(self.private_endpoints, self.public_endpoint))
        return PathKind::hairpin;
    return PathKind::public_nat;
}

}  // namespace

std::vector<Candidate> candidates(const SelfView& self, const Introduction& other) {
    std::vector<Candidate> out;
    auto add = [&](const stun::Endpoint& e, PathKind kind) {
        if (e.port == 0) return;
        for (const auto& c : out) {
            if (c.endpoint == e) return;
        }
        out.push_back({e, kind});
    };
    if (other.mapped_endpoint) add(*other.mapped_endpoint, PathKind::mapped);
    if (self.predict_count > 0 && other.port_step != 0) {
        for (int i = 1; i <= self.predict_count; ++i) {
            const int port = other.public_endpoint.port + i * other.port_step;
            if (port <= 0 || port > 65535) break;
            add({other.public_endpoint.ip, static_cast<uint16_t>(port)}, PathKind::predicted);
        }
    }
    add(other.public_endpoint, public_kind(self, other));
    if (self.use_private) {
        for (const auto& e : other.private_endpoints) add(e, PathKind::private_lan);
    }
    return out;
}

PathKind classify(const SelfView& self, const Introduction& other,
                  const std::vector<Candidate>& known, const stun::Endpoint& from) {
    for (const auto& c : known) {
        if (c.endpoint == from) return c.kind;
    }
    for (const auto& e : other.private_endpoints) {
        if (e.ip == from.ip && self.use_private && !(e.ip == other.public_endpoint.ip))
            return PathKind::private_lan;
    }
    return public_kind(self, other);
}

Session::Session(const Identity& me, std::string my_id, Introduction other, Time introduced,
                 Epoch epoch)
    : me_(me),
      my_id_(std::move(my_id)),
      other_(std::move(other)),
      introduced_(introduced),
      proof_(me_.prove(other_.session, my_id_, other_.peer)),
      epoch_(epoch) {}

Punch Session::message(PathId path) const {
    Punch p;
    p.session = other_.session;
    p.from = my_id_;
    p.proof = proof_;
    p.epoch = epoch_;
    p.echo = other_epoch_;
    auto it = paths_.find(path);
    if (it == paths_.end()) return p;
    const PathState& s = it->second;
    if (s.got_proof) p.flags |= flag::verified;
    if (s.got_payload) p.flags |= flag::got_payload;
    if (chosen_ == path) {
        if (controlling()) p.flags |= flag::nominate;
        p.payload = payload();
    }
    return p;
}

Session::Outcome Session::receive(PathId path, const Punch& p, Time now) {
    if (p.session != other_.session || p.from != other_.peer) return {};
    PathState& s = paths_[path];
    if (s.rejected) return {Verdict::rejected, false, false};
    if (!check_proof(other_.key, other_.session, other_.peer, my_id_, p.proof)) {
        s.rejected = true;
        ++rejections_;
        return {Verdict::rejected, false, false};
    }
    if (stale_epoch(p)) {
        ++stale_;
        Outcome out;
        out.restarted = heard_back_ && p.echo == Epoch{};
        return out;
    }
    // Before the other has heard this session, its flags are about another.
    const bool heard_us = p.echo == epoch_;
    const uint32_t flags = heard_us ? p.flags : 0;
    const std::string payload = heard_us ? p.payload : "";
    const PathState before = s;
    const auto chosen_before = chosen_;
    s.got_proof = true;
    if (flags & flag::verified) s.they_verified = true;
    if (flags & flag::got_payload) s.they_got_payload = true;
    if (!payload.empty() && (chosen_ == path || (flags & flag::nominate))) {
        s.got_payload = true;
        payload_received_ = payload;
    }
    if (s.got_proof && (s.they_verified || s.two_way) && !s.up) s.up = now;
    if (!chosen_ && controlling() && s.up) chosen_ = path;
    if (!chosen_ && !controlling() && (flags & flag::nominate)) {
        chosen_ = path;
        if (!s.up) s.up = now;  // nominate implies the other side verified us
        s.got_payload = !payload.empty();
        if (s.got_payload) payload_received_ = payload;
    }
    if (!completed_ && complete()) completed_ = now;
    if (flags & flag::pong) last_pong_ = now;

    const bool changed = s.got_proof != before.got_proof ||
                         s.they_verified != before.they_verified ||
                         s.got_payload != before.got_payload || chosen_ != chosen_before;
    const bool they_lack =
        !(flags & flag::verified) || (chosen_ == path && !(flags & flag::got_payload));
    const bool pong = (flags & flag::ping) != 0;
    return {Verdict::accepted, changed || they_lack || pong, pong};
}

bool Session::stale_epoch(const Punch& p) {
    // It echoes a session of ours that ended.
    if (p.echo != Epoch{} && p.echo != epoch_) return true;
    // It is not from the session of the other's that answered ours.
    if (heard_back_ && p.epoch != other_epoch_) return true;
    if (p.echo == epoch_) heard_back_ = true;
    // Until then the newest word counts: an old message that came late is
    // followed by the other's next round.
    other_epoch_ = p.epoch;
    return false;
}

bool Session::rejected(PathId path) const {
    auto it = paths_.find(path);
    return it != paths_.end() && it->second.rejected;
}

bool Session::complete() const {
    if (!chosen_) return false;
    const PathState& s = paths_.at(*chosen_);
    return s.got_payload && s.they_got_payload;
}

std::optional<Time> Session::chosen_up() const {
    if (!chosen_) return std::nullopt;
    return paths_.at(*chosen_).up;
}

void Session::note_payload_sent(Time now) {
    if (!payload_sent_) payload_sent_ = now;
}

}  // namespace testbed::punch
