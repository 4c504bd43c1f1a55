// The rendezvous server's dispatch (punch/server.h), message in, answers
// out: registration and its conflicts, introductions of both sides at once,
// reversal and relay only between introduced peers, rate limits, bounded
// tables, STUN Binding and RFC 5780 discovery.

#include "punch/server.h"

#include <doctest/doctest.h>
#include <fmt/core.h>

#include <algorithm>

#include "punch/auth.h"
#include "punch/protocol.h"
#include "support/punch_helpers.h"

using namespace testbed;
using namespace testbed::punch;
using namespace std::chrono_literals;
using testing::ep;

namespace {

/// A UDP datagram carrying `m`.
std::vector<Send> send(Server& s, const char* from, const stun::Message& m, Time now,
                       size_t socket = 0) {
    const auto bytes = stun::encode(m);
    return s.on_datagram(socket, ep(from), bytes, bytes.size(), now);
}

/// Registers the way a peer does: the request, the server's nonce, the
/// request again with the nonce signed. The answer to the second.
std::vector<Send> register_as(Server& s, const char* from, const std::string& id,
                              const Identity& key, Time now) {
    const Register r{id, key.public_key(), {ep("10.0.1.2:4000")}, 0, {}, {}};
    const auto challenge = send(s, from, to_message(r, stun::new_transaction_id()), now);
    REQUIRE(challenge.size() == 1);
    const auto nonce = nonce_of(challenge[0].message);
    REQUIRE(nonce);
    return send(s, from, to_message(key.sign(r, *nonce), stun::new_transaction_id()), now);
}

stun::Message connect_to(const std::string& target) {
    return to_message(Connect{target}, stun::new_transaction_id());
}

std::optional<int> error_of(const Send& s) {
    return s.message.cls == stun::Class::error ? s.message.error_code() : std::nullopt;
}

ServerLimits small() {
    ServerLimits l;
    l.rate = 1000;
    l.burst = 1000;
    l.registry.max_peers = 2;
    return l;
}

/// small() with a larger table and a quota per source address.
ServerLimits with_quota(size_t max_peers, size_t per_source) {
    ServerLimits l = small();
    l.registry.max_peers = max_peers;
    l.registry.max_per_source = per_source;
    return l;
}

}  // namespace

TEST_CASE("server: registration answers the mapped address, an id held by another key is 409") {
    Server s({ep("203.0.113.1:3478")}, small());
    Identity a;
    Identity thief;
    const Time t0{};
    auto out = register_as(s, "203.0.113.10:4000", "alice", a, t0);
    REQUIRE(out.size() == 1);
    CHECK(out[0].to.endpoint == ep("203.0.113.10:4000"));
    CHECK(out[0].message.cls == stun::Class::success);
    CHECK(out[0].message.mapped() == ep("203.0.113.10:4000"));
    out = register_as(s, "203.0.113.66:1", "alice", thief, t0);
    REQUIRE(out.size() == 1);
    CHECK(error_of(out[0]) == 409);
    CHECK(s.counters().refused == 1);
    CHECK(s.counters().registrations == 1);
}

TEST_CASE("server: the table is bounded, past max_peers a registration is 503") {
    Server s({ep("203.0.113.1:3478")}, small());
    Identity a, b, c;
    register_as(s, "203.0.113.10:4000", "alice", a, {});
    register_as(s, "203.0.113.20:4000", "bob", b, {});
    auto out = register_as(s, "203.0.113.30:4000", "carol", c, {});
    REQUIRE(out.size() == 1);
    CHECK(error_of(out[0]) == 503);
    CHECK(s.peers() == 2);
}

TEST_CASE("server: an introduction goes to both peers at once, and the asker gets success") {
    Server s({ep("203.0.113.1:3478")}, small());
    Identity a, b;
    register_as(s, "203.0.113.10:4000", "alice", a, {});
    CHECK(error_of(send(s, "203.0.113.10:4000", connect_to("bob"), {}).at(0)) == 404);
    register_as(s, "203.0.113.20:5000", "bob", b, {});
    auto out = send(s, "203.0.113.10:4000", connect_to("bob"), {});
    REQUIRE(out.size() == 3);
    auto for_alice = introduction_from(out[0].message);
    auto for_bob = introduction_from(out[1].message);
    REQUIRE(for_alice);
    REQUIRE(for_bob);
    CHECK(out[0].to.endpoint == ep("203.0.113.10:4000"));
    CHECK(for_alice->peer == "bob");
    CHECK(for_alice->public_endpoint == ep("203.0.113.20:5000"));
    CHECK(out[1].to.endpoint == ep("203.0.113.20:5000"));
    CHECK(for_bob->peer == "alice");
    CHECK(for_alice->session == for_bob->session);
    CHECK(out[2].message.cls == stun::Class::success);
    CHECK(s.counters().introductions == 1);
}

TEST_CASE("server: connecting without registering is 403, to oneself 400") {
    Server s({ep("203.0.113.1:3478")}, small());
    Identity a;
    CHECK(error_of(send(s, "203.0.113.10:4000", connect_to("bob"), {}).at(0)) == 403);
    register_as(s, "203.0.113.10:4000", "alice", a, {});
    CHECK(error_of(send(s, "203.0.113.10:4000", connect_to("alice"), {}).at(0)) == 400);
}

TEST_CASE("server: relay and reversal only between introduced peers, never for strangers") {
    Server s({ep("203.0.113.1:3478")}, small());
    Identity a, b;
    register_as(s, "203.0.113.10:4000", "alice", a, {});
    register_as(s, "203.0.113.20:5000", "bob", b, {});
    const auto relay = to_message(Relay{"bob", {1, 2, 3}});
    CHECK(send(s, "203.0.113.10:4000", relay, {}).empty());  // no introduction
    CHECK(send(s, "198.51.100.9:1", relay, {}).empty());     // a stranger
    CHECK(
        send(s, "203.0.113.10:4000", to_message(Reversal{"bob"}), {}).empty());  // no introduction
    CHECK(s.counters().refused == 3);
    send(s, "203.0.113.10:4000", connect_to("bob"), {});
    auto out = send(s, "203.0.113.10:4000", relay, {});
    REQUIRE(out.size() == 1);
    CHECK(out[0].to.endpoint == ep("203.0.113.20:5000"));
    auto carried = relay_from(out[0].message);
    REQUIRE(carried);
    CHECK(carried->peer == "alice");  // the sender, as the server knows it
    CHECK(carried->data == std::vector<uint8_t>{1, 2, 3});
    out = send(s, "203.0.113.20:5000", to_message(Reversal{"alice"}), {});
    REQUIRE(out.size() == 1);
    CHECK(reversal_from(out[0].message)->peer == "bob");
    CHECK(s.counters().relayed == 1);
    // A spoofed source claiming nobody's contact is still a stranger.
    CHECK(send(s, "203.0.113.99:4000", relay, {}).empty());
}

TEST_CASE("server: a source over its rate is dropped, Binding has a rate of its own") {
    ServerLimits limits = small();
    limits.rate = 1;
    limits.burst = 2;
    Server s({ep("203.0.113.1:3478")}, limits);
    const Time t0{};
    for (int i = 0; i < 5; ++i) send(s, "203.0.113.10:4000", connect_to("bob"), t0);
    CHECK(s.counters().rate_limited == 3);
    stun::Message binding;
    binding.transaction = stun::new_transaction_id();
    for (int i = 0; i < 5; ++i) CHECK(send(s, "203.0.113.10:4000", binding, t0).size() == 1);
    CHECK(s.counters().rate_limited == 3);  // Binding has its own, larger bucket
    // Tokens come back with time.
    CHECK(send(s, "203.0.113.10:4000", connect_to("bob"), t0 + 2s).size() == 1);
}

TEST_CASE("server: garbage and oversized datagrams get no answer and are counted") {
    Server s({ep("203.0.113.1:3478")}, small());
    const std::vector<uint8_t> garbage{0xde, 0xad, 0xbe, 0xef};
    CHECK(s.on_datagram(0, ep("203.0.113.10:4000"), garbage, garbage.size(), {}).empty());
    CHECK(s.on_datagram(0, ep("203.0.113.10:4000"), garbage, 5000, {}).empty());
    CHECK(s.counters().malformed == 2);
    // An unknown method in a request would be answered 400, but not to an
    // unproven source: the answer is larger than the 28 bytes it sent.
    stun::Message odd;
    odd.method = 0x0fff;
    odd.transaction = stun::new_transaction_id();
    CHECK(send(s, "203.0.113.10:4000", odd, {}).empty());
    CHECK(s.counters().cut == 1);
    // A registered peer gets its 400.
    const Identity alice;
    register_as(s, "203.0.113.10:4000", "alice", alice, {});
    auto out = send(s, "203.0.113.10:4000", odd, {});
    REQUIRE(out.size() == 1);
    CHECK(error_of(out[0]) == 400);
}

TEST_CASE("server: Binding answers with the mapped address, RFC 5780 only with an alternate") {
    stun::Message binding;
    binding.transaction = stun::new_transaction_id();
    Server plain({ep("203.0.113.1:3478")}, small());
    auto out = send(plain, "203.0.113.10:4000", binding, {});
    REQUIRE(out.size() == 1);
    CHECK(out[0].message.mapped() == ep("203.0.113.10:4000"));
    CHECK(out[0].message.find(stun::attr::other_address) == nullptr);
    stun::Message change = binding;
    change.add_change_request(true, true);
    CHECK(error_of(send(plain, "203.0.113.10:4000", change, {}).at(0)) == 420);

    Server discovery({ep("203.0.113.1:3478"), ep("203.0.113.1:3479"), ep("203.0.113.2:3478"),
                      ep("203.0.113.2:3479")},
                     small());
    out = send(discovery, "203.0.113.10:4000", change, {});
    REQUIRE(out.size() == 1);
    CHECK(out[0].socket == 3);  // changed address and port: from the alternate
    CHECK(out[0].to.endpoint == ep("203.0.113.10:4000"));
    stun::Message port_only = binding;
    port_only.add_change_request(false, true);
    CHECK(send(discovery, "203.0.113.10:4000", port_only, {}).at(0).socket == 1);
    // The project's methods live on the primary socket only.
    Identity a;
    const Register r{"alice", a.public_key(), {}, 0, {}, {}};
    CHECK(send(discovery, "203.0.113.10:4000", to_message(r, stun::new_transaction_id()), {}, 2)
              .empty());
}

TEST_CASE("server: a closed TCP connection takes its registration with it") {
    Server s({ep("203.0.113.1:3478")}, small());
    Identity a;
    const Register r{"alice", a.public_key(), {}, 0, {}, {}};
    auto out =
        s.on_stream(7, ep("203.0.113.10:4000"), to_message(r, stun::new_transaction_id()), {});
    REQUIRE(out.size() == 1);
    CHECK(error_of(out[0]) == 401);  // a connection proves its address, but not the key
    const auto nonce = nonce_of(out[0].message);
    REQUIRE(nonce);
    // The nonce is bound to this connection: another one cannot use it.
    out = s.on_stream(8, ep("203.0.113.10:4000"),
                      to_message(a.sign(r, *nonce), stun::new_transaction_id()), {});
    CHECK(error_of(out.at(0)) == 438);
    out = s.on_stream(7, ep("203.0.113.10:4000"),
                      to_message(a.sign(r, *nonce), stun::new_transaction_id()), {});
    REQUIRE(out.size() == 1);
    CHECK(out[0].message.cls == stun::Class::success);
    CHECK(out[0].to.tcp);
    CHECK(out[0].to.connection == 7);
    CHECK(s.peers() == 1);
    s.on_closed(7, ep("203.0.113.10:4000"));
    CHECK(s.peers() == 0);
}

TEST_CASE("server: one source address cannot take the table, others still register") {
    // One ordinary host filled all 4,096 registrations and kept them.
    Server s({ep("203.0.113.1:3478")}, with_quota(100, 8));
    const Identity key;
    size_t accepted = 0, refused = 0;
    for (int i = 0; i < 50; ++i) {
        const std::string from = fmt::format("198.51.100.66:{}", 1000 + i);
        auto out = register_as(s, from.c_str(), fmt::format("bot{}", i), key, {});
        REQUIRE(out.size() == 1);
        if (out[0].message.cls == stun::Class::success)
            ++accepted;
        else if (error_of(out[0]) == 503)
            ++refused;
    }
    CHECK(accepted == 8);
    CHECK(refused == 42);
    const Identity alice;
    auto out = register_as(s, "203.0.113.10:4000", "alice", alice, {});
    CHECK(out.at(0).message.cls == stun::Class::success);
    // A registration that moves within its address is a refresh, not a new one.
    CHECK(register_as(s, "198.51.100.66:1000", "bot0", key, {}).at(0).message.cls ==
          stun::Class::success);
}

TEST_CASE("server: Binding answers to one source are bounded (amplification)") {
    // An answer is 3.8 times its request: unbounded, a spoofed source made
    // the server a reflector at its victim.
    ServerLimits limits = small();
    limits.binding_rate = 10;
    Server s({ep("203.0.113.1:3478")}, limits);
    stun::Message binding;
    binding.transaction = stun::new_transaction_id();
    const auto request = stun::encode(binding);
    size_t answered = 0, bytes = 0;
    const Time t0{};
    for (int i = 0; i < 1000; ++i) {
        for (const auto& out :
             s.on_datagram(0, ep("198.51.100.7:9"), request, request.size(), t0)) {
            ++answered;
            bytes += stun::encode(out.message).size();
        }
    }
    CHECK(answered == 20);  // the burst: twice the rate
    CHECK(bytes <= size_t{20} * 4 * request.size());
    // Another source is not held back by the first one's flood.
    CHECK(s.on_datagram(0, ep("203.0.113.10:4000"), request, request.size(), t0).size() == 1);
    // With time the source gets answers again, at the rate.
    CHECK(s.on_datagram(0, ep("198.51.100.7:9"), request, request.size(), t0 + 1s).size() == 1);
}

TEST_CASE("server: TCP connections per source are bounded, half-sent ones time out") {
    // One host holding 520 half-sent connections denied TCP peers for 120 s.
    ServerLimits limits = small();
    limits.connections_per_source = 4;
    limits.first_message = 5s;
    Server s({ep("203.0.113.1:3478")}, limits);
    const Time t0{};
    uint64_t id = 1;
    for (; id <= 4; ++id) CHECK(s.admit(id, ep("198.51.100.66:1000"), t0));
    CHECK_FALSE(s.admit(id, ep("198.51.100.66:1001"), t0));
    CHECK(s.admit(100, ep("203.0.113.10:4000"), t0));  // another host is not held back
    // Connection 1 sends a whole message; the others never do.
    stun::Message binding;
    binding.transaction = stun::new_transaction_id();
    CHECK(s.on_stream(1, ep("198.51.100.66:1000"), binding, t0 + 1s).size() == 1);
    CHECK(s.overdue(t0 + 4s).empty());
    auto late = s.overdue(t0 + 5s);
    std::sort(late.begin(), late.end());
    CHECK(late == std::vector<uint64_t>{2, 3, 4, 100});
    // Closed, they free their source's slots.
    for (const uint64_t c : {uint64_t{2}, uint64_t{3}, uint64_t{4}})
        s.on_closed(c, ep("198.51.100.66:1000"));
    CHECK(s.admit(200, ep("198.51.100.66:1002"), t0 + 6s));
}

TEST_CASE("server: taking over an id with its owner's public key fails: the key must sign") {
    // Issue 12, point 11: anyone learns alice's key from an introduction.
    Server s({ep("203.0.113.1:3478")}, small());
    const Identity alice;
    const Identity thief;
    const Time t0{};
    REQUIRE(register_as(s, "203.0.113.10:4000", "alice", alice, t0).at(0).message.cls ==
            stun::Class::success);
    const Register stolen{"alice", alice.public_key(), {}, 0, {}, {}};
    // Without a nonce: a challenge, nothing registered.
    auto out = send(s, "203.0.113.66:1", to_message(stolen, stun::new_transaction_id()), t0);
    REQUIRE(out.size() == 1);
    CHECK(error_of(out[0]) == 401);
    const auto nonce = nonce_of(out[0].message);
    REQUIRE(nonce);
    // Signed with the thief's own key: refused.
    out = send(s, "203.0.113.66:1",
               to_message(thief.sign(stolen, *nonce), stun::new_transaction_id()), t0);
    CHECK(error_of(out.at(0)) == 401);
    CHECK(nonce_of(out[0].message) == std::nullopt);  // no second try offered
    // With no proof at all, or with a nonce alice got at her address: refused too.
    Register bare = stolen;
    bare.nonce = nonce;
    CHECK(error_of(
              send(s, "203.0.113.66:1", to_message(bare, stun::new_transaction_id()), t0).at(0)) ==
          401);
    const auto alices =
        nonce_of(send(s, "203.0.113.10:4000", to_message(stolen, stun::new_transaction_id()), t0)
                     .at(0)
                     .message);
    REQUIRE(alices);
    CHECK(error_of(send(s, "203.0.113.66:1",
                        to_message(alice.sign(stolen, *alices), stun::new_transaction_id()), t0)
                       .at(0)) == 438);
    // Alice is where she was: bob's introduction goes to her address.
    const Identity bob;
    register_as(s, "203.0.113.20:5000", "bob", bob, t0);
    out = send(s, "203.0.113.20:5000", connect_to("alice"), t0);
    REQUIRE(out.size() == 3);
    CHECK(out[1].to.endpoint == ep("203.0.113.10:4000"));
    // Alice herself may move (a new NAT mapping): she holds the key.
    CHECK(register_as(s, "203.0.113.11:4001", "alice", alice, t0).at(0).message.cls ==
          stun::Class::success);
}

TEST_CASE("server: a registration from a spoofed source is never completed or relayed to") {
    // Issue 12, point 12: the victim at 198.51.100.7 never contacted the server.
    Server s({ep("203.0.113.1:3478")}, small());
    const Identity mallory;
    const Identity forged;
    const Time t0{};
    register_as(s, "203.0.113.66:1", "mallory", mallory, t0);
    const Register spoofed{"victim", forged.public_key(), {}, 0, {}, {}};
    const auto request = stun::encode(to_message(spoofed, stun::new_transaction_id()));
    auto out = s.on_datagram(0, ep("198.51.100.7:9"), request, request.size(), t0);
    // The only answer: a challenge, to the spoofed address, smaller than the request.
    REQUIRE(out.size() == 1);
    CHECK(out[0].to.endpoint == ep("198.51.100.7:9"));
    CHECK(stun::encode(out[0].message).size() <= request.size());
    // Mallory cannot answer it for the victim: guessing costs 2^128.
    Register guessed = forged.sign(spoofed, Nonce{});
    const auto again = stun::encode(to_message(guessed, stun::new_transaction_id()));
    out = s.on_datagram(0, ep("198.51.100.7:9"), again, again.size(), t0);
    CHECK(error_of(out.at(0)) == 438);
    CHECK(s.peers() == 1);
    // So there is nobody to introduce, relay or reverse to.
    CHECK(error_of(send(s, "203.0.113.66:1", connect_to("victim"), t0).at(0)) == 404);
    CHECK(send(s, "203.0.113.66:1", to_message(Relay{"victim", std::vector<uint8_t>(1000, 1)}), t0)
              .empty());
    CHECK(s.counters().relayed == 0);
}

TEST_CASE("server: nothing sent to an unproven source is larger than what it sent") {
    // Issue 12, point 13 (Binding is the exception: standard STUN, rate-limited).
    Server s({ep("203.0.113.1:3478")}, small());
    const Identity key;
    const Time t0{};
    stun::Message odd;
    odd.method = 0x0fff;
    odd.transaction = stun::new_transaction_id();
    Register smallest{"a", key.public_key(), {}, 0, {}, {}};
    Register bad_nonce = key.sign(smallest, Nonce{});
    const std::vector<stun::Message> requests{
        to_message(smallest, stun::new_transaction_id()),
        to_message(bad_nonce, stun::new_transaction_id()),
        to_message(Connect{"b"}, stun::new_transaction_id()),
        to_message(Connect{std::string(64, 'b')}, stun::new_transaction_id()),
        to_message(Relay{"b", {1}}),
        to_message(Reversal{"b"}),
        odd};
    for (const auto& m : requests) {
        for (const bool fingerprint : {true, false}) {
            const auto bytes = stun::encode(m, fingerprint);
            CAPTURE(m.method);
            CAPTURE(bytes.size());
            for (const auto& out :
                 s.on_datagram(0, ep("198.51.100.7:9"), bytes, bytes.size(), t0)) {
                CHECK(out.to.endpoint == ep("198.51.100.7:9"));
                CHECK(stun::encode(out.message).size() <= bytes.size());
            }
        }
    }
    CHECK(s.counters().challenges == 4);  // both registrations, with and without FINGERPRINT
}

TEST_CASE("server: a full table evicts from the biggest holder, never a host's only peer") {
    // Issue 12, point 14: the eviction protects single, active peers.
    Server s({ep("203.0.113.1:3478")}, with_quota(10, 8));
    const Identity key;
    const Time t0{};
    for (int i = 0; i < 8; ++i) {
        const std::string from = fmt::format("198.51.100.66:{}", 1000 + i);
        register_as(s, from.c_str(), fmt::format("bot{}", i), key, t0);
    }
    const Identity alice, bob;
    register_as(s, "203.0.113.10:4000", "alice", alice, t0);
    register_as(s, "203.0.113.20:4000", "bob", bob, t0);
    REQUIRE(s.peers() == 10);
    // bot0 is in use: it asks for an introduction later than the others registered.
    REQUIRE(send(s, "198.51.100.66:1000", connect_to("alice"), t0 + 1s).size() == 3);
    for (int i = 0; i < 7; ++i) {
        const std::string from = fmt::format("192.0.2.{}:5000", 1 + i);
        CHECK(
            register_as(s, from.c_str(), fmt::format("new{}", i), key, t0 + 2s).at(0).message.cls ==
            stun::Class::success);
    }
    CHECK(s.peers() == 10);
    // The big holder is down to its active one; now nobody holds two more than a newcomer.
    CHECK(error_of(register_as(s, "192.0.2.99:5000", "late", key, t0 + 2s).at(0)) == 503);
    const auto intro = send(s, "203.0.113.10:4000", connect_to("bot0"), t0 + 2s);
    CHECK(intro.size() == 3);
    CHECK(error_of(send(s, "203.0.113.10:4000", connect_to("bot1"), t0 + 2s).at(0)) == 404);
    CHECK(send(s, "203.0.113.10:4000", connect_to("bob"), t0 + 2s).size() == 3);
}

namespace {

/// Registers `id` over TCP connection `connection` from `from`.
void register_over_tcp(Server& s, uint64_t connection, const char* from, const std::string& id,
                       const Identity& key) {
    const Register r{id, key.public_key(), {}, 0, {}, {}};
    auto out = s.on_stream(connection, ep(from), to_message(r, stun::new_transaction_id()), {});
    const auto nonce = nonce_of(out.at(0).message);
    REQUIRE(nonce);
    out = s.on_stream(connection, ep(from),
                      to_message(key.sign(r, *nonce), stun::new_transaction_id()), {});
    REQUIRE(out.at(0).message.cls == stun::Class::success);
}

}  // namespace

TEST_CASE("server: a SYN's sequence number goes to the introduced peer only") {
    Server s({ep("203.0.113.1:3478")}, small());
    Identity a, b;
    register_over_tcp(s, 1, "203.0.113.10:4000", "alice", a);
    register_over_tcp(s, 2, "203.0.113.20:5000", "bob", b);
    const auto syn = to_message(Syn{"bob", 1000, false});
    CHECK(s.on_stream(1, ep("203.0.113.10:4000"), syn, {}).empty());  // not introduced
    s.on_stream(1, ep("203.0.113.10:4000"), connect_to("bob"), {});
    auto out = s.on_stream(1, ep("203.0.113.10:4000"), syn, {});
    REQUIRE(out.size() == 1);
    CHECK(out[0].to.connection == 2);
    auto carried = syn_from(out[0].message);
    REQUIRE(carried);
    CHECK(carried->peer == "alice");
    CHECK(carried->isn == 1000);
    CHECK(s.take_forged().empty());
}

TEST_CASE("server: --spoof forges one SYN-ACK each once both of a pair asked, for nobody else") {
    Server s({ep("203.0.113.1:3478")}, with_quota(8, 8));
    Identity a, b;
    register_over_tcp(s, 1, "203.0.113.10:4000", "alice", a);
    register_over_tcp(s, 2, "203.0.113.20:5000", "bob", b);
    s.on_stream(1, ep("203.0.113.10:4000"), connect_to("bob"), {});
    const uint32_t alice_isn = 0xFFFFFFFF;  // wraps: the ACK acknowledges 0
    const uint32_t bob_isn = 7;

    SUBCASE("off: nothing is forged") {
        s.on_stream(1, ep("203.0.113.10:4000"), to_message(Syn{"bob", alice_isn, true}), {});
        s.on_stream(2, ep("203.0.113.20:5000"), to_message(Syn{"alice", bob_isn, true}), {});
        CHECK(s.take_forged().empty());
    }
    SUBCASE("on: after both asked, each side gets the other's SYN answered") {
        s.allow_spoofing(true);
        s.on_stream(1, ep("203.0.113.10:4000"), to_message(Syn{"bob", alice_isn, true}), {});
        CHECK(s.take_forged().empty());  // one side alone makes nothing
        s.on_stream(2, ep("203.0.113.20:5000"), to_message(Syn{"alice", bob_isn, true}), {});
        const auto forged = s.take_forged();
        REQUIRE(forged.size() == 2);
        for (const ForgedSynAck& f : forged) {
            const bool to_alice = f.to == ep("203.0.113.10:4000");
            CHECK(f.from == ep(to_alice ? "203.0.113.20:5000" : "203.0.113.10:4000"));
            CHECK(f.seq == (to_alice ? bob_isn : alice_isn));
            CHECK(f.ack == (to_alice ? 0u : bob_isn + 1));
        }
        CHECK(s.counters().spoofed == 2);
        // The numbers are spent: one more request alone forges nothing.
        s.on_stream(2, ep("203.0.113.20:5000"), to_message(Syn{"alice", bob_isn, true}), {});
        CHECK(s.take_forged().empty());
    }
    SUBCASE("on: a stranger, or a peer not introduced to its target, gets nothing forged") {
        s.allow_spoofing(true);
        Identity c;
        register_over_tcp(s, 3, "203.0.113.30:6000", "carol", c);
        s.on_stream(3, ep("203.0.113.30:6000"), to_message(Syn{"bob", 1, true}), {});
        s.on_stream(2, ep("203.0.113.20:5000"), to_message(Syn{"carol", 2, true}), {});
        s.on_stream(9, ep("198.51.100.9:1"), to_message(Syn{"alice", 3, true}), {});
        CHECK(s.take_forged().empty());
    }
}

TEST_CASE("server: --spoof forges nothing for a pair registered over UDP") {
    Server s({ep("203.0.113.1:3478")}, small());
    s.allow_spoofing(true);
    Identity a, b;
    register_as(s, "203.0.113.10:4000", "alice", a, {});
    register_as(s, "203.0.113.20:5000", "bob", b, {});
    send(s, "203.0.113.10:4000", connect_to("bob"), {});
    CHECK(send(s, "203.0.113.10:4000", to_message(Syn{"bob", 1, true}), {}).size() == 1);
    CHECK(send(s, "203.0.113.20:5000", to_message(Syn{"alice", 2, true}), {}).size() == 1);
    CHECK(s.take_forged().empty());
}
