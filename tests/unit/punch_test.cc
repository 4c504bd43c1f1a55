// The rendezvous protocol, the server's registry and rate limits, and the
// peers' punch session: all pure, driven here without sockets.

#include <doctest/doctest.h>

#include "punch/auth.h"
#include "punch/protocol.h"
#include "punch/registry.h"
#include "punch/session.h"

using namespace testbed;
using namespace testbed::punch;
using namespace std::chrono_literals;

namespace {

stun::Endpoint ep(const char* text) {
    return *stun::Endpoint::parse(text);
}

/// Through the wire format and back.
stun::Message wire(const stun::Message& m) {
    auto back = stun::decode(stun::encode(m));
    REQUIRE(std::holds_alternative<stun::Message>(back));
    return std::get<stun::Message>(back);
}

Contact udp(const char* endpoint) {
    return Contact{false, ep(endpoint), 0};
}

Register reg(const std::string& id, const Identity& key) {
    return Register{id, key.public_key(), {ep("10.0.1.2:4000")}, 0};
}

}  // namespace

TEST_CASE("protocol: every message survives the wire") {
    Identity key;
    const auto t = stun::new_transaction_id();
    Register r{"alice", key.public_key(), {ep("10.0.1.2:4000"), ep("192.168.1.2:4000")}, -2};
    auto r2 = register_from(wire(to_message(r, t)));
    REQUIRE(r2);
    CHECK(r2->id == "alice");
    CHECK(r2->key == key.public_key());
    CHECK(r2->private_endpoints == r.private_endpoints);
    CHECK(r2->port_step == -2);

    Introduction i{"bob", key.public_key(), ep("203.0.113.2:5000"), {ep("10.0.2.2:5000")},
                   1,     random_session()};
    auto i2 = introduction_from(wire(to_message(i)));
    REQUIRE(i2);
    CHECK(i2->peer == "bob");
    CHECK(i2->public_endpoint == i.public_endpoint);
    CHECK(i2->session == i.session);
    CHECK(i2->port_step == 1);

    auto c = connect_from(wire(to_message(Connect{"bob"}, t)));
    REQUIRE(c);
    CHECK(c->target == "bob");
    auto rel = relay_from(wire(to_message(Relay{"bob", {1, 2, 3}})));
    REQUIRE(rel);
    CHECK(rel->data == std::vector<uint8_t>{1, 2, 3});
    CHECK(reversal_from(wire(to_message(Reversal{"bob"})))->peer == "bob");

    Punch p{i.session, "alice", flag::verified, key.prove(i.session, "alice", "bob"), "hi"};
    auto p2 = punch_from(wire(to_message(p)));
    REQUIRE(p2);
    CHECK(p2->flags == flag::verified);
    CHECK(p2->payload == "hi");
    CHECK(p2->proof == p.proof);
}

TEST_CASE("protocol: malformed attributes and wrong methods are refused") {
    Identity key;
    stun::Message m =
        to_message(Register{"alice", key.public_key(), {}, 0}, stun::new_transaction_id());
    CHECK_FALSE(connect_from(m));  // a register is not a connect
    m.attributes[0].value = {'b', 'a', 'd', ' ', 'i', 'd'};
    CHECK_FALSE(register_from(m));  // space in the id
    CHECK_FALSE(valid_peer_id(""));
    CHECK_FALSE(valid_peer_id(std::string(65, 'a')));
    CHECK(valid_peer_id("peer-1.a_b"));
    stun::Message step = to_message(Register{"alice", key.public_key(), {}, kMaxPortStep + 1},
                                    stun::new_transaction_id());
    CHECK_FALSE(register_from(step));
    stun::Message many =
        to_message(Register{"alice", key.public_key(), {}, 0}, stun::new_transaction_id());
    for (size_t i = 0; i <= kMaxPrivateEndpoints; ++i)
        many.add_xor_address(attr::private_endpoint, ep("10.0.0.1:1"));
    CHECK_FALSE(register_from(many));
}

TEST_CASE("auth: a proof checks only for its key, session and both ids") {
    Identity alice;
    Identity mallory;
    const SessionId s = random_session();
    const Signature proof = alice.prove(s, "alice", "bob");
    CHECK(check_proof(alice.public_key(), s, "alice", "bob", proof));
    CHECK_FALSE(check_proof(mallory.public_key(), s, "alice", "bob", proof));
    CHECK_FALSE(check_proof(alice.public_key(), random_session(), "alice", "bob", proof));
    CHECK_FALSE(check_proof(alice.public_key(), s, "alice", "carol", proof));
    CHECK_FALSE(check_proof(alice.public_key(), s, "bob", "alice", proof));
}

TEST_CASE("registry: ids are bound to their key, contacts to one id, entries expire") {
    Registry r(RegistryLimits{2, 30s, 10, 120s});
    Identity a;
    Identity b;
    Identity thief;
    const Time t0{};
    CHECK(r.add(reg("alice", a), udp("203.0.113.10:4000"), t0) == Registry::Status::ok);
    CHECK(r.add(reg("alice", thief), udp("203.0.113.66:1"), t0) == Registry::Status::taken);
    CHECK(r.find("alice", t0)->contact == udp("203.0.113.10:4000"));
    // The same key from a new mapping moves the registration.
    CHECK(r.add(reg("alice", a), udp("203.0.113.10:4001"), t0) == Registry::Status::ok);
    CHECK(r.at(udp("203.0.113.10:4000"), t0) == nullptr);
    CHECK(r.add(reg("bob", b), udp("203.0.113.20:5000"), t0) == Registry::Status::ok);
    CHECK(r.add(reg("carol", thief), udp("203.0.113.30:6000"), t0) == Registry::Status::full);
    // One id per contact: bob's contact registering as dave drops bob.
    CHECK(r.add(reg("dave", b), udp("203.0.113.20:5000"), t0) == Registry::Status::ok);
    CHECK(r.find("bob", t0) == nullptr);
    CHECK(r.find("alice", t0 + 31s) == nullptr);
    r.expire(t0 + 31s);
    CHECK(r.peers() == 0);
    CHECK(r.add(reg("alice", thief), udp("203.0.113.66:1"), t0 + 31s) == Registry::Status::ok);
}

TEST_CASE("registry: an introduction gives both sides one session; relay only after it") {
    Registry r;
    Identity a;
    Identity b;
    const Time t0{};
    r.add(reg("alice", a), udp("203.0.113.10:4000"), t0);
    CHECK(std::get<Registry::Refusal>(r.connect(udp("203.0.113.10:4000"), "bob", t0)) ==
          Registry::Refusal::unknown_target);
    CHECK(std::get<Registry::Refusal>(r.connect(udp("203.0.113.99:1"), "alice", t0)) ==
          Registry::Refusal::not_registered);
    CHECK(std::get<Registry::Refusal>(r.connect(udp("203.0.113.10:4000"), "alice", t0)) ==
          Registry::Refusal::self);
    r.add(reg("bob", b), udp("203.0.113.20:5000"), t0);
    CHECK_FALSE(r.introduced("alice", "bob", t0));
    auto first = std::get<Registry::Introductions>(r.connect(udp("203.0.113.10:4000"), "bob", t0));
    CHECK(first.for_requester.peer == "bob");
    CHECK(first.for_requester.public_endpoint == ep("203.0.113.20:5000"));
    CHECK(first.for_target.peer == "alice");
    CHECK(first.target == udp("203.0.113.20:5000"));
    CHECK(first.for_requester.session == first.for_target.session);
    CHECK(r.introduced("bob", "alice", t0));
    // Bob asking too gets the same session, so both peers agree.
    auto second =
        std::get<Registry::Introductions>(r.connect(udp("203.0.113.20:5000"), "alice", t0 + 1s));
    CHECK(second.for_requester.session == first.for_requester.session);
    CHECK_FALSE(r.introduced("alice", "bob", t0 + 1s + 121s));
}

TEST_CASE("rate limiter: bursts, refill, bounded table") {
    RateLimiter limiter(10, 20, 4);
    const Time t0{};
    const Ipv4 a = *Ipv4::parse("203.0.113.10");
    int allowed = 0;
    for (int i = 0; i < 100; ++i) allowed += limiter.allow(a, t0) ? 1 : 0;
    CHECK(allowed == 20);
    CHECK(limiter.allow(a, t0 + 200ms));                     // two tokens back
    CHECK(limiter.allow(*Ipv4::parse("203.0.113.11"), t0));  // others unaffected
    for (uint32_t i = 0; i < 100; ++i) limiter.allow(Ipv4{0x0a000000 + i}, t0);
    CHECK(limiter.sources() <= 4);
    CHECK(RateLimiter(0, 0).allow(a, t0));  // 0: off
}

namespace {

/// Two sessions that hand their messages to each other on one path, as a
/// lossless network would, until neither has anything to say.
void exchange(Session& x, Session& y, PathId path, Time now) {
    std::vector<std::pair<Session*, Punch>> queue{{&y, x.message(path)}, {&x, y.message(path)}};
    for (size_t i = 0; i < queue.size() && i < 100; ++i) {
        auto [to, p] = queue[i];
        auto outcome = to->receive(path, p, now);
        if (outcome.reply) queue.push_back({to == &x ? &y : &x, to->message(path)});
    }
}

}  // namespace

TEST_CASE("session: two peers authenticate, the controlling one nominates, payloads cross") {
    Identity a;
    Identity b;
    const SessionId s = random_session();
    const Time t0{};
    Session alice(a, "alice", Introduction{"bob", b.public_key(), ep("203.0.113.2:5000"), {}, 0, s},
                  t0);
    Session bob(b, "bob", Introduction{"alice", a.public_key(), ep("203.0.113.1:4000"), {}, 0, s},
                t0);
    CHECK(alice.controlling());
    CHECK_FALSE(bob.controlling());
    exchange(alice, bob, 7, t0 + 1ms);
    CHECK(alice.complete());
    CHECK(bob.complete());
    CHECK(alice.chosen() == PathId{7});
    CHECK(bob.chosen() == PathId{7});
    CHECK(alice.payload_received() == "hello from bob");
    CHECK(bob.payload_received() == "hello from alice");
    CHECK(alice.chosen_up() == t0 + 1ms);
}

TEST_CASE("session: a host that is not the introduced peer is rejected on its path") {
    Identity a;
    Identity b;
    Identity mallory;
    const SessionId s = random_session();
    const Time t0{};
    Session alice(a, "alice", Introduction{"bob", b.public_key(), ep("203.0.113.2:5000"), {}, 0, s},
                  t0);
    // Mallory knows the session and claims to be bob, but signs with her own key.
    Punch fake{s, "bob", flag::verified | flag::nominate, mallory.prove(s, "bob", "alice"), "evil"};
    CHECK(alice.receive(3, fake, t0).verdict == Session::Verdict::rejected);
    CHECK(alice.rejected(3));
    CHECK(alice.rejections() == 1);
    CHECK_FALSE(alice.chosen());
    // Even a correct message later on that path is not believed.
    Punch real{s, "bob", 0, b.prove(s, "bob", "alice"), ""};
    CHECK(alice.receive(3, real, t0).verdict == Session::Verdict::rejected);
    CHECK(alice.receive(4, real, t0).verdict == Session::Verdict::accepted);
    // A stale session is ignored, not rejected.
    Punch stale{random_session(), "bob", 0, b.prove(s, "bob", "alice"), ""};
    CHECK(alice.receive(5, stale, t0).verdict == Session::Verdict::ignored);
}

TEST_CASE("candidates: predicted ports first, then public, then private; kinds named") {
    SelfView self{{ep("10.0.1.2:4000")}, ep("203.0.113.1:4000"), true, 3};
    Introduction other{"bob", {}, ep("203.0.113.2:20010"), {ep("10.0.2.2:5000")}, 2, {}};
    auto c = candidates(self, other);
    REQUIRE(c.size() == 5);
    CHECK(c[0].endpoint == ep("203.0.113.2:20012"));
    CHECK(c[0].kind == PathKind::predicted);
    CHECK(c[2].endpoint == ep("203.0.113.2:20016"));
    CHECK(c[3].kind == PathKind::public_nat);
    CHECK(c[4].kind == PathKind::private_lan);
    self.use_private = false;
    self.predict_count = 0;
    CHECK(candidates(self, other).size() == 1);

    // Same public address: the public candidate goes through the NAT's hairpin.
    Introduction neighbour{"carol", {}, ep("203.0.113.1:4001"), {ep("10.0.1.3:4001")}, 0, {}};
    CHECK(candidates(self, neighbour)[0].kind == PathKind::hairpin);
    // Exactly one side public: connection reversal.
    Introduction open{"dave", {}, ep("203.0.113.50:6000"), {ep("203.0.113.50:6000")}, 0, {}};
    CHECK(reversal_case(self, open));
    CHECK(candidates(self, open)[0].kind == PathKind::reversal);
    CHECK(candidates(self, open).size() == 1);
    // A fresh mapping of a symmetric NAT shows up as a public path.
    CHECK(classify(self, other, c, ep("203.0.113.2:31337")) == PathKind::public_nat);
    CHECK(classify(self, other, c, ep("203.0.113.2:20012")) == PathKind::predicted);
}

TEST_CASE("session: on a two-way path (TCP) the controlling side nominates on the first proof") {
    Identity a;
    Identity b;
    const SessionId s = random_session();
    const Time t0{};
    Session alice(a, "alice", Introduction{"bob", b.public_key(), ep("203.0.113.2:5000"), {}, 0, s},
                  t0);
    Session bob(b, "bob", Introduction{"alice", a.public_key(), ep("203.0.113.1:4000"), {}, 0, s},
                t0);
    alice.mark_two_way(1);
    bob.mark_two_way(1);
    // Bob's first message alone (no `verified` flag) is enough for alice.
    auto outcome = alice.receive(1, bob.message(1), t0 + 1ms);
    CHECK(outcome.reply);
    CHECK(alice.chosen() == PathId{1});
    CHECK((alice.message(1).flags & flag::nominate) != 0);
    // Bob checks alice's proof in the nomination itself.
    bob.receive(1, alice.message(1), t0 + 2ms);
    CHECK(bob.chosen() == PathId{1});
    exchange(alice, bob, 1, t0 + 3ms);
    CHECK(alice.complete());
    CHECK(bob.complete());
}
