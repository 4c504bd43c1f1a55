// The rendezvous protocol's messages: every one survives the wire, and
// malformed ones are refused.

#include "punch/protocol.h"

#include <doctest/doctest.h>

#include "punch/auth.h"
#include "punch/registry.h"
#include "punch/session.h"
#include "support/punch_helpers.h"

using namespace testbed;
using namespace testbed::punch;
using namespace std::chrono_literals;
using testing::ep;

namespace {

/// Through the wire format and back.
stun::Message wire(const stun::Message& m) {
    auto back = stun::decode(stun::encode(m));
    REQUIRE(std::holds_alternative<stun::Message>(back));
    return std::get<stun::Message>(back);
}

}  // namespace

TEST_CASE("protocol: every message survives the wire") {
    Identity key;
    const auto t = stun::new_transaction_id();
    Register r{"alice", key.public_key(), {ep("10.0.1.2:4000"), ep("192.168.1.2:4000")}, -2, {},
               {}};
    auto r2 = register_from(wire(to_message(r, t)));
    REQUIRE(r2);
    CHECK(r2->id == "alice");
    CHECK(r2->key == key.public_key());
    CHECK(r2->private_endpoints == r.private_endpoints);
    CHECK(r2->port_step == -2);
    CHECK_FALSE(r2->nonce);
    CHECK_FALSE(r2->proof);
    Nonce nonce{};
    nonce[0] = 7;
    const Register s = key.sign(r, nonce);
    auto s2 = register_from(wire(to_message(s, t)));
    REQUIRE(s2);
    CHECK(s2->nonce == nonce);
    CHECK(s2->proof == s.proof);
    CHECK(check_registration(*s2));

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

    Punch p{i.session, "alice",        flag::verified, key.prove(i.session, "alice", "bob"),
            "hi",      random_epoch(), random_epoch()};
    auto p2 = punch_from(wire(to_message(p)));
    REQUIRE(p2);
    CHECK(p2->flags == flag::verified);
    CHECK(p2->payload == "hi");
    CHECK(p2->proof == p.proof);
    CHECK(p2->epoch == p.epoch);
    CHECK(p2->echo == p.echo);
    CHECK(p2->sequence == 0);
    p.sequence = 70000;
    CHECK(punch_from(wire(to_message(p)))->sequence == 70000);
    // A count that is not 32 bits makes no punch.
    stun::Message short_count = to_message(p);
    for (auto& a : short_count.attributes)
        if (a.type == attr::sequence) a.value.pop_back();
    CHECK_FALSE(punch_from(wire(short_count)));
    // A punch without its epochs is not one of ours.
    stun::Message no_epoch = to_message(p);
    std::erase_if(no_epoch.attributes, [](const auto& a) { return a.type == attr::epoch; });
    CHECK_FALSE(punch_from(wire(no_epoch)));
}

TEST_CASE("protocol: malformed attributes and wrong methods are refused") {
    Identity key;
    stun::Message m =
        to_message(Register{"alice", key.public_key(), {}, 0, {}, {}}, stun::new_transaction_id());
    CHECK_FALSE(connect_from(m));  // a register is not a connect
    m.attributes[0].value = {'b', 'a', 'd', ' ', 'i', 'd'};
    CHECK_FALSE(register_from(m));  // space in the id
    CHECK_FALSE(valid_peer_id(""));
    CHECK_FALSE(valid_peer_id(std::string(65, 'a')));
    CHECK(valid_peer_id("peer-1.a_b"));
    stun::Message step =
        to_message(Register{"alice", key.public_key(), {}, kMaxPortStep + 1, {}, {}},
                   stun::new_transaction_id());
    CHECK_FALSE(register_from(step));
    stun::Message many =
        to_message(Register{"alice", key.public_key(), {}, 0, {}, {}}, stun::new_transaction_id());
    for (size_t i = 0; i <= kMaxPrivateEndpoints; ++i)
        many.add_xor_address(attr::private_endpoint, ep("10.0.0.1:1"));
    CHECK_FALSE(register_from(many));
    // A nonce or a proof of the wrong size is malformed, not absent.
    for (const uint16_t type : {attr::nonce, attr::proof}) {
        stun::Message short_one = to_message(Register{"alice", key.public_key(), {}, 0, {}, {}},
                                             stun::new_transaction_id());
        short_one.add(type, {1, 2, 3});
        CHECK_FALSE(register_from(short_one));
    }
}

TEST_CASE("protocol: a port mapping travels in the registration and the introduction") {
    Identity key;
    Register r{"alice", key.public_key(), {ep("10.0.1.2:4000")}, 0, {}, {}};
    r.mapped_endpoint = ep("21.0.0.10:4000");
    auto r2 = register_from(wire(to_message(r, stun::new_transaction_id())));
    REQUIRE(r2);
    CHECK(r2->mapped_endpoint == ep("21.0.0.10:4000"));
    Introduction i{"bob", key.public_key(), ep("20.0.0.20:5000"), {}, 0, random_session()};
    CHECK_FALSE(introduction_from(wire(to_message(i)))->mapped_endpoint);
    i.mapped_endpoint = ep("20.0.0.20:6000");
    CHECK(introduction_from(wire(to_message(i)))->mapped_endpoint == ep("20.0.0.20:6000"));
    // Present but malformed is a bad message, not "no mapping".
    stun::Message bad =
        to_message(Register{"alice", key.public_key(), {}, 0, {}, {}}, stun::new_transaction_id());
    bad.add(attr::mapped_endpoint, {1, 2});
    CHECK_FALSE(register_from(bad));
}

TEST_CASE("protocol: a technique's SYN travels with its sequence number and spoof request") {
    auto s = syn_from(wire(to_message(Syn{"bob", 0xDEADBEEF, true})));
    REQUIRE(s);
    CHECK(s->peer == "bob");
    CHECK(s->isn == 0xDEADBEEF);
    CHECK(s->spoof);
    CHECK_FALSE(syn_from(wire(to_message(Syn{"bob", 1, false})))->spoof);
    // Unknown flag bits, a short sequence number, or a missing one are malformed.
    stun::Message bad_flags = to_message(Syn{"bob", 1, false});
    for (auto& a : bad_flags.attributes) {
        if (a.type == attr::flags) a.value = {0, 0, 0, 2};
    }
    CHECK_FALSE(syn_from(bad_flags));
    stun::Message short_isn = to_message(Syn{"bob", 1, false});
    for (auto& a : short_isn.attributes) {
        if (a.type == attr::sequence) a.value = {1, 2};
    }
    CHECK_FALSE(syn_from(short_isn));
    CHECK_FALSE(relay_from(to_message(Syn{"bob", 1, false})));  // a syn is not a relay
}
