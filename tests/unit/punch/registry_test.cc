// The server's registry (ids bound to keys, introductions, relay
// permission, expiry) and its per-source rate limits, without sockets.

#include "punch/registry.h"

#include <doctest/doctest.h>

#include "punch/auth.h"
#include "punch/protocol.h"
#include "punch/session.h"
#include "support/punch_helpers.h"

using namespace testbed;
using namespace testbed::punch;
using namespace std::chrono_literals;
using testing::ep;
using testing::reg;
using testing::udp;

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

TEST_CASE("registry: an introduction gives both sides one session, relay only after it") {
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

TEST_CASE("registry: an introduction names a port mapping only on the address the server sees") {
    Registry r;
    Identity a;
    Identity b;
    const Time t0{};
    Register alice = reg("alice", a);
    alice.mapped_endpoint = ep("203.0.113.10:4000");
    r.add(alice, udp("203.0.113.10:31000"), t0);
    Register bob = reg("bob", b);
    bob.mapped_endpoint = ep("21.0.0.10:5000");  // a gateway behind another NAT
    r.add(bob, udp("203.0.113.20:5000"), t0);
    auto intro = std::get<Registry::Introductions>(r.connect(udp("203.0.113.10:31000"), "bob", t0));
    CHECK(intro.for_target.mapped_endpoint == ep("203.0.113.10:4000"));
    CHECK_FALSE(intro.for_requester.mapped_endpoint);
}
