#include "punch/server.h"

#include <fmt/core.h>

#include "base/big_endian.h"
#include "base/log.h"
#include "punch/auth.h"
#include "punch/protocol.h"
#include "punch/technique.h"

namespace testbed::punch {
namespace {

stun::Message success(const stun::Message& request) {
    stun::Message ok;
    ok.method = request.method;
    ok.cls = stun::Class::success;
    ok.transaction = request.transaction;
    return ok;
}

}  // namespace

Server::Server(std::vector<stun::Endpoint> udp, ServerLimits limits)
    : udp_(std::move(udp)),
      limits_(limits),
      registry_(limits.registry),
      cookies_(limits.nonce_period),
      limiter_(limits.rate, limits.burst),
      binding_limiter_(limits.binding_rate, 2 * limits.binding_rate) {}

void Server::note(Throttle& t, const stun::Endpoint& from, const std::string& why, Time now) {
    ++*t.counter;
    ++t.unlogged;
    if (now - t.last < std::chrono::seconds(1)) return;
    log::warning("{} {} message(s); last from {}: {}", t.what, t.unlogged, from.str(), why);
    t.unlogged = 0;
    t.last = now;
}

std::vector<Send> Server::on_datagram(size_t socket, const stun::Endpoint& from,
                                      std::span<const uint8_t> bytes, size_t size, Time now) {
    if (size > stun::kMaxMessageSize) {
        note(malformed_, from, fmt::format("{} bytes: larger than {}", size, stun::kMaxMessageSize),
             now);
        return {};
    }
    auto decoded = stun::decode(bytes);
    if (auto* why = std::get_if<std::string>(&decoded)) {
        note(malformed_, from, *why, now);
        return {};
    }
    const auto& message = std::get<stun::Message>(decoded);
    if (message.method == stun::method::binding) {
        if (message.cls != stun::Class::request) return {};
        if (!binding_limiter_.allow(from.ip, now)) {
            note(limited_, from, "Binding", now);
            return {};
        }
        return {binding_answer(socket, message, from)};
    }
    // The project's methods live on the primary socket only: answers and
    // introductions must come from the address the peers registered with.
    if (socket != 0) return {};
    const Contact contact{false, from, 0};
    const bool routable = proven(contact, message, now);
    auto out = handle(contact, message, now);
    if (!routable) fit(out, contact, size);
    return out;
}

bool Server::proven(const Contact& from, const stun::Message& m, Time now) const {
    if (registry_.at(from, now)) return true;
    if (m.method != method::register_peer) return false;
    auto nonce = nonce_of(m);
    return nonce && cookies_.check(*nonce, from, now) == CookieJar::Verdict::good;
}

void Server::fit(std::vector<Send>& out, const Contact& from, size_t budget) {
    std::erase_if(out, [&](Send& s) {
        if (s.to == from && stun::encode(s.message).size() <= budget) return false;
        if (s.to == from && s.message.cls == stun::Class::error) {
            for (auto& a : s.message.attributes) {
                if (a.type == stun::attr::error_code && a.value.size() > 4) a.value.resize(4);
            }
            if (stun::encode(s.message).size() <= budget) return false;
        }
        ++counters_.cut;
        log::debug("not sent to unproven {} (larger than its {} bytes): method {:#x}",
                   from.endpoint.str(), budget, s.message.method);
        return true;
    });
}

Send Server::challenge(const Contact& from, const stun::Message& m, int code, const char* reason,
                       Time now) {
    ++counters_.challenges;
    stun::Message answer = error_answer(m, code, reason);
    const Nonce nonce = cookies_.make(from, now);
    answer.add(attr::nonce, {nonce.begin(), nonce.end()});
    return {from, 0, answer};
}

std::vector<Send> Server::on_stream(uint64_t connection, const stun::Endpoint& peer,
                                    const stun::Message& m, Time now) {
    const Contact contact{true, peer, connection};
    if (auto it = connections_.find(connection); it != connections_.end()) it->second.spoke = true;
    if (m.method != stun::method::binding) return handle(contact, m, now);
    if (m.cls != stun::Class::request) return {};
    stun::Message reply;
    reply.transaction = m.transaction;
    reply.cls = stun::Class::success;
    reply.add_xor_address(stun::attr::xor_mapped_address, peer);
    reply.add_address(stun::attr::mapped_address, peer);
    reply.add_software("testbed rendezvous");
    ++counters_.binding_answers;
    return {{contact, 0, reply}};
}

void Server::on_stream_garbage(const stun::Endpoint& peer, const std::string& why, Time now) {
    note(malformed_, peer, why, now);
}

bool Server::admit(uint64_t connection, const stun::Endpoint& peer, Time now) {
    size_t& held = connections_by_source_[peer.ip.value];
    if (held >= limits_.connections_per_source) {
        if (held == 0) connections_by_source_.erase(peer.ip.value);
        note(refused_, peer, "too many TCP connections from this address", now);
        return false;
    }
    ++held;
    connections_[connection] = {peer.ip.value, now, false};
    return true;
}

std::vector<uint64_t> Server::overdue(Time now) const {
    std::vector<uint64_t> out;
    for (const auto& [id, c] : connections_) {
        if (!c.spoke && now - c.opened >= limits_.first_message) out.push_back(id);
    }
    return out;
}

void Server::on_closed(uint64_t connection, const stun::Endpoint& peer) {
    registry_.forget(Contact{true, peer, connection});
    auto it = connections_.find(connection);
    if (it == connections_.end()) return;
    auto held = connections_by_source_.find(it->second.source);
    if (held != connections_by_source_.end() && --held->second == 0)
        connections_by_source_.erase(held);
    connections_.erase(it);
}

void Server::expire(Time now) {
    registry_.expire(now);
}

std::vector<Send> Server::handle(const Contact& from, const stun::Message& m, Time now) {
    if (!limiter_.allow(from.endpoint.ip, now)) {
        note(limited_, from.endpoint, fmt::format("method {:#x}", m.method), now);
        return {};
    }
    if (auto r = register_from(m)) return on_register(from, m, *r, now);
    if (auto c = connect_from(m)) return on_connect(from, m, *c, now);
    if (auto r = reversal_from(m)) {
        auto route = forwarding(from, r->peer, now);
        if (!route) return {};
        return {{route->second, 0, to_message(Reversal{route->first})}};
    }
    if (auto r = relay_from(m)) {
        auto route = forwarding(from, r->peer, now);
        if (!route) return {};
        ++counters_.relayed;
        return {{route->second, 0, to_message(Relay{route->first, r->data})}};
    }
    if (auto s = syn_from(m)) return on_syn(from, *s, now);
    note(malformed_, from.endpoint, fmt::format("unexpected or malformed method {:#x}", m.method),
         now);
    if (m.cls == stun::Class::request) return {{from, 0, error_answer(m, 400, "Bad Request")}};
    return {};
}

std::vector<Send> Server::on_register(const Contact& from, const stun::Message& m,
                                      const Register& r, Time now) {
    // Return routability first (a spoofed source never gets past the
    // cookie, and the cookie answer is smaller than the request), then the
    // key: only its holder can sign the nonce.
    if (!r.nonce) return {challenge(from, m, 401, "Nonce", now)};
    if (cookies_.check(*r.nonce, from, now) != CookieJar::Verdict::good)
        return {challenge(from, m, 438, "Stale", now)};
    if (!check_registration(r)) {
        note(refused_, from.endpoint,
             fmt::format("registration of '{}' without a proof of its key", r.id), now);
        return {{from, 0, error_answer(m, 401, "Bad proof")}};
    }
    switch (registry_.add(r, from, now)) {
        case Registry::Status::ok: {
            ++counters_.registrations;
            stun::Message ok = success(m);
            ok.add_xor_address(stun::attr::xor_mapped_address, from.endpoint);
            const Nonce next = cookies_.make(from, now);  // for the refresh
            ok.add(attr::nonce, {next.begin(), next.end()});
            log::debug("registered {} at {}{}", r.id, from.endpoint.str(),
                       from.tcp ? " (tcp)" : "");
            return {{from, 0, ok}};
        }
        case Registry::Status::taken:
            note(refused_, from.endpoint,
                 fmt::format("id '{}' is registered with another key", r.id), now);
            return {{from, 0, error_answer(m, 409, "Peer id taken by another key")}};
        case Registry::Status::full:
            note(refused_, from.endpoint, "registrations full", now);
            return {{from, 0, error_answer(m, 503, "Server full")}};
        case Registry::Status::quota:
            note(refused_, from.endpoint, "too many registrations from this address", now);
            return {{from, 0, error_answer(m, 503, "Too many registrations from this address")}};
    }
    return {};
}

std::vector<Send> Server::on_connect(const Contact& from, const stun::Message& m, const Connect& c,
                                     Time now) {
    auto result = registry_.connect(from, c.target, now);
    if (auto* both = std::get_if<Registry::Introductions>(&result)) {
        ++counters_.introductions;
        log::info("introduced {} ({}) and {} ({})", both->for_target.peer,
                  both->requester.endpoint.str(), both->for_requester.peer,
                  both->target.endpoint.str());
        // Both sides at once: they start punching at the same moment.
        return {{both->requester, 0, to_message(both->for_requester)},
                {both->target, 0, to_message(both->for_target)},
                {from, 0, success(m)}};
    }
    switch (std::get<Registry::Refusal>(result)) {
        case Registry::Refusal::not_registered:
            return {{from, 0, error_answer(m, 403, "Register first")}};
        case Registry::Refusal::unknown_target:
            return {{from, 0, error_answer(m, 404, "Unknown peer")}};
        case Registry::Refusal::self:
            return {{from, 0, error_answer(m, 400, "Cannot connect to oneself")}};
        case Registry::Refusal::full:
            return {{from, 0, error_answer(m, 503, "Server full")}};
    }
    return {};
}

std::vector<Send> Server::on_syn(const Contact& from, const Syn& s, Time now) {
    auto route = forwarding(from, s.peer, now);
    if (!route) return {};
    std::vector<Send> out{{route->second, 0, to_message(Syn{route->first, s.isn, s.spoof})}};
    if (!s.spoof || !spoofing_) return out;
    if (!from.tcp || !route->second.tcp) {
        // A UDP registration's endpoint is a UDP mapping: no TCP SYN left from it.
        note(refused_, from.endpoint, "a SYN-ACK for a peer not registered over TCP", now);
        return out;
    }
    if (auto isns = registry_.syn_out(route->first, s.peer, s.isn, now)) {
        // Each side gets its SYN answered as if by the other.
        const stun::Endpoint& mine = from.endpoint;
        const stun::Endpoint& theirs = route->second.endpoint;
        const auto to_me = syn_ack_numbers(isns->second, isns->first);
        const auto to_them = syn_ack_numbers(isns->first, isns->second);
        forged_.push_back({theirs, mine, to_me.seq, to_me.ack});
        forged_.push_back({mine, theirs, to_them.seq, to_them.ack});
        counters_.spoofed += 2;
        log::info("forged SYN-ACKs between {} ({}) and {} ({})", route->first, mine.str(), s.peer,
                  theirs.str());
    }
    return out;
}

std::optional<std::pair<std::string, Contact>> Server::forwarding(const Contact& from,
                                                                  const std::string& to, Time now) {
    const auto* sender = registry_.at(from, now);
    const auto* target = registry_.find(to, now);
    if (!sender || !target || !registry_.introduced(sender->registration.id, to, now)) {
        note(refused_, from.endpoint, fmt::format("forward to '{}' without an introduction", to),
             now);
        return std::nullopt;
    }
    registry_.touch(sender->registration.id, now);
    return std::make_pair(sender->registration.id, target->contact);
}

Send Server::binding_answer(size_t socket, const stun::Message& request,
                            const stun::Endpoint& from) {
    const bool alternate = udp_.size() == 4;
    stun::Message reply;
    reply.transaction = request.transaction;
    const auto change = request.change_request();
    if (request.find(stun::attr::change_request) && (!alternate || !change)) {
        // RFC 5780 §6.1: without an alternate address CHANGE-REQUEST is an
        // unknown comprehension-required attribute.
        reply.cls = stun::Class::error;
        reply.add_error(420, "Unknown Attribute");
        reply.add(stun::attr::unknown_attributes, {0x00, 0x03});
        return {{false, from, 0}, socket, reply};
    }
    size_t out = socket;
    if (change && change->port) out ^= 1;
    if (change && change->ip) out ^= 2;
    // RFC 5780 §7.5: RESPONSE-PORT sends the answer to another port of the
    // client's (mapped) address; it only exists for discovery.
    stun::Endpoint to = from;
    if (const stun::Attribute* rp = request.find(stun::attr::response_port);
        rp && alternate && rp->value.size() == 4) {
        to.port = big_endian::read16(rp->value, 0);
    }
    reply.cls = stun::Class::success;
    reply.add_xor_address(stun::attr::xor_mapped_address, from);
    reply.add_address(stun::attr::mapped_address, from);
    if (alternate) {
        // OTHER-ADDRESS names the alternate address and port (A2:P2) on every
        // socket but that one, as coturn's turnserver does: coturn's
        // natdiscovery takes test III's target from test II's answer. RFC
        // 5780 clients use test I's answer, where both readings agree.
        reply.add_address(stun::attr::other_address, udp_[socket == 3 ? 0 : 3]);
        reply.add_address(stun::attr::response_origin, udp_[out]);
    }
    reply.add_software("testbed rendezvous");
    ++counters_.binding_answers;
    if (log::enabled(log::Level::debug)) {
        log::debug("binding from {} on {}, answered from {} to {}", from.str(), udp_[socket].str(),
                   udp_[out].str(), to.str());
    }
    return {{false, to, 0}, out, reply};
}

}  // namespace testbed::punch
