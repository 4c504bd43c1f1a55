#include "punch/registry.h"

#include <algorithm>

#include "punch/auth.h"

namespace testbed::punch {

Registry::Status Registry::add(const Register& r, const Contact& from, Time now) {
    expire(now);
    auto it = peers_.find(r.id);
    if (it != peers_.end() && it->second.registration.key != r.key) return Status::taken;
    // A contact speaks for one id: a re-registration under a new id replaces the old one.
    if (auto old = by_contact_.find(from); old != by_contact_.end() && old->second != r.id) {
        erase(peers_.find(old->second));
    }
    const bool fresh = it == peers_.end();
    if (fresh && peers_.size() >= limits_.max_peers && !evict_for(from.endpoint.ip))
        return Status::full;
    const bool new_source = fresh || !(it->second.contact.endpoint.ip == from.endpoint.ip);
    if (new_source) {
        auto held = per_source_.find(from.endpoint.ip.value);
        if (held != per_source_.end() && held->second >= limits_.max_per_source)
            return Status::quota;
    }
    Peer& peer = peers_[r.id];
    if (new_source) {
        if (!fresh) count(peer.contact.endpoint.ip, false);
        count(from.endpoint.ip, true);
    }
    if (peer.contact != from) by_contact_.erase(peer.contact);
    peer.registration = r;
    peer.contact = from;
    peer.expires = now + limits_.lifetime;
    peer.active = now;
    by_contact_[from] = r.id;
    return Status::ok;
}

const Registry::Peer* Registry::find(const std::string& id, Time now) const {
    auto it = peers_.find(id);
    if (it == peers_.end() || it->second.expires <= now) return nullptr;
    return &it->second;
}

const Registry::Peer* Registry::at(const Contact& from, Time now) const {
    auto it = by_contact_.find(from);
    if (it == by_contact_.end()) return nullptr;
    return find(it->second, now);
}

namespace {

Introduction describe(const Registry::Peer& p, const SessionId& session) {
    Introduction out{p.registration.id,
                     p.registration.key,
                     p.contact.endpoint,
                     p.registration.private_endpoints,
                     p.registration.port_step,
                     session,
                     std::nullopt};
    // A mapping on another address than the one we see is of no use to the
    // other peer, and the server points nobody at addresses a client names.
    const auto& mapped = p.registration.mapped_endpoint;
    if (mapped && mapped->ip == p.contact.endpoint.ip && mapped->port != 0)
        out.mapped_endpoint = mapped;
    return out;
}

}  // namespace

std::variant<Registry::Introductions, Registry::Refusal> Registry::connect(
    const Contact& from, const std::string& target, Time now) {
    expire(now);
    const Peer* requester = at(from, now);
    if (!requester) return Refusal::not_registered;
    if (requester->registration.id == target) return Refusal::self;
    const Peer* other = find(target, now);
    if (!other) return Refusal::unknown_target;
    auto k = key(requester->registration.id, target);
    auto pair = pairs_.find(k);
    if (pair == pairs_.end()) {
        if (pairs_.size() >= limits_.max_pairs) return Refusal::full;
        pair = pairs_.emplace(k, Pair{random_session(), now}).first;
    }
    pair->second.expires = now + limits_.pair_lifetime;
    touch(requester->registration.id, now);
    touch(target, now);
    const SessionId& s = pair->second.session;
    return Introductions{requester->contact, describe(*other, s), other->contact,
                         describe(*requester, s)};
}

bool Registry::introduced(const std::string& a, const std::string& b, Time now) const {
    auto it = pairs_.find(key(a, b));
    return it != pairs_.end() && it->second.expires > now;
}

std::optional<std::pair<uint32_t, uint32_t>> Registry::syn_out(const std::string& from,
                                                               const std::string& to, uint32_t isn,
                                                               Time now) {
    auto it = pairs_.find(key(from, to));
    if (it == pairs_.end() || it->second.expires <= now) return std::nullopt;
    auto& syn = it->second.syn;
    const size_t mine = from < to ? 0 : 1;
    syn[mine] = isn;
    if (!syn[1 - mine]) return std::nullopt;
    const std::pair<uint32_t, uint32_t> both{isn, *syn[1 - mine]};
    syn = {};
    return both;
}

void Registry::touch(const std::string& id, Time now) {
    if (auto it = peers_.find(id); it != peers_.end()) it->second.active = now;
}

bool Registry::evict_for(Ipv4 newcomer) {
    const auto mine = per_source_.find(newcomer.value);
    const size_t held = mine == per_source_.end() ? 0 : mine->second;
    const auto most =
        std::max_element(per_source_.begin(), per_source_.end(),
                         [](const auto& a, const auto& b) { return a.second < b.second; });
    if (most == per_source_.end() || most->second < held + 2) return false;
    const uint32_t hog = most->first;
    auto victim = peers_.end();
    for (auto it = peers_.begin(); it != peers_.end(); ++it) {
        if (it->second.contact.endpoint.ip.value != hog) continue;
        if (victim == peers_.end() || it->second.active < victim->second.active) victim = it;
    }
    if (victim == peers_.end()) return false;
    erase(victim);
    return true;
}

void Registry::forget(const Contact& contact) {
    auto it = by_contact_.find(contact);
    if (it != by_contact_.end()) erase(peers_.find(it->second));
}

void Registry::expire(Time now) {
    for (auto it = peers_.begin(); it != peers_.end();) {
        auto next = std::next(it);
        if (it->second.expires <= now) erase(it);
        it = next;
    }
    std::erase_if(pairs_, [&](const auto& p) { return p.second.expires <= now; });
}

void Registry::erase(std::map<std::string, Peer>::iterator it) {
    if (it == peers_.end()) return;
    count(it->second.contact.endpoint.ip, false);
    by_contact_.erase(it->second.contact);
    peers_.erase(it);
}

void Registry::count(Ipv4 source, bool add) {
    auto it = per_source_.find(source.value);
    if (add) {
        if (it == per_source_.end()) it = per_source_.emplace(source.value, 0).first;
        ++it->second;
    } else if (it != per_source_.end() && --it->second == 0) {
        per_source_.erase(it);
    }
}

std::pair<std::string, std::string> Registry::key(const std::string& a, const std::string& b) {
    return a < b ? std::pair{a, b} : std::pair{b, a};
}

bool RateLimiter::allow(Ipv4 source, Time now) {
    if (rate_ <= 0) return true;
    auto it = buckets_.find(source.value);
    if (it == buckets_.end()) {
        if (buckets_.size() >= max_sources_) {
            // Bounded memory: forget the sources whose buckets have refilled
            // (they lose nothing), and if a spoofed flood filled the table
            // with busy ones, start over rather than refuse newcomers.
            std::erase_if(buckets_, [&](const auto& b) {
                return b.second.tokens +
                           rate_ * std::chrono::duration<double>(now - b.second.last).count() >=
                       burst_;
            });
            if (buckets_.size() >= max_sources_) buckets_.clear();
        }
        it = buckets_.emplace(source.value, Bucket{burst_, now}).first;
    }
    Bucket& b = it->second;
    const double elapsed = std::chrono::duration<double>(now - b.last).count();
    b.tokens = std::min(burst_, b.tokens + elapsed * rate_);
    b.last = now;
    if (b.tokens < 1) return false;
    b.tokens -= 1;
    return true;
}

}  // namespace testbed::punch
