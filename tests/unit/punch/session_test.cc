// The peers' punch session and candidate order, driven without sockets.

#include "punch/session.h"

#include <doctest/doctest.h>

#include "punch/auth.h"
#include "punch/protocol.h"
#include "punch/registry.h"
#include "support/punch_helpers.h"

using namespace testbed;
using namespace testbed::punch;
using namespace std::chrono_literals;
using testing::ep;

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

/// alice and bob, introduced to each other in one session.
struct IntroducedPair {
    Identity a;
    Identity b;
    SessionId s = random_session();
    Time t0{};
    Session alice{a, "alice", Introduction{"bob", b.public_key(), ep("203.0.113.2:5000"), {}, 0, s},
                  t0};
    Session bob{b, "bob", Introduction{"alice", a.public_key(), ep("203.0.113.1:4000"), {}, 0, s},
                t0};
};

}  // namespace

TEST_CASE("session: two peers authenticate, the controlling one nominates, payloads cross") {
    IntroducedPair pair;
    Session& alice = pair.alice;
    Session& bob = pair.bob;
    const Time t0 = pair.t0;
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

TEST_CASE("candidates: predicted ports first, then public, then private, kinds named") {
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

TEST_CASE("candidates: a port mapping comes first, and names the path when it is also public") {
    SelfView self{{ep("10.0.1.2:4000")}, ep("20.0.0.20:5000"), true, 0};
    Introduction other{"alice", {}, ep("21.0.0.10:31000"), {ep("10.0.1.2:4000")}, 0, {}};
    other.mapped_endpoint = ep("21.0.0.10:4000");
    auto c = candidates(self, other);
    REQUIRE(c.size() == 3);
    CHECK(c[0].endpoint == ep("21.0.0.10:4000"));
    CHECK(c[0].kind == PathKind::mapped);
    CHECK(path_name(c[0].kind) == "mapped");
    CHECK(c[1].kind == PathKind::public_nat);
    // A cone NAT keeps the port: the mapping and the public endpoint are one.
    other.public_endpoint = ep("21.0.0.10:4000");
    c = candidates(self, other);
    CHECK(c[0].kind == PathKind::mapped);
    CHECK(c[1].kind == PathKind::private_lan);
}

TEST_CASE("session: when the controlling side's last word is lost, only a ping brings it again") {
    IntroducedPair pair;
    Session& alice = pair.alice;
    Session& bob = pair.bob;
    const Time t0 = pair.t0;
    const PathId path = 1;
    // Proofs both ways, then alice nominates with her payload.
    bob.receive(path, alice.message(path), t0);
    alice.receive(path, bob.message(path), t0);
    REQUIRE(alice.chosen() == path);
    CHECK(alice.awaits_answer(path));
    bob.receive(path, alice.message(path), t0);
    REQUIRE(bob.chosen() == path);
    // Bob's payload arrives; alice is complete. Her answer (she has it) is lost.
    alice.receive(path, bob.message(path), t0);
    REQUIRE(alice.complete());
    CHECK_FALSE(alice.awaits_answer(path));
    CHECK_FALSE(bob.complete());
    CHECK(bob.awaits_answer(path));
    // Bob sending again as he is: alice sees nothing he lacks, and is silent.
    CHECK_FALSE(alice.receive(path, bob.message(path), t0).reply);
    // With a ping she answers, and her answer completes him.
    Punch asking = bob.message(path);
    asking.flags |= flag::ping;
    const auto outcome = alice.receive(path, asking, t0);
    REQUIRE(outcome.reply);
    bob.receive(path, alice.message(path), t0);
    CHECK(bob.complete());
    CHECK_FALSE(bob.awaits_answer(path));
}

namespace {

/// alice and bob once more after a migration: the same server session, new epochs.
struct MigratedPair {
    explicit MigratedPair(const IntroducedPair& before)
        : alice{before.a, "alice", before.alice.other(), before.t0},
          bob{before.b, "bob", before.bob.other(), before.t0} {}
    Session alice;
    Session bob;
};

}  // namespace

TEST_CASE("session: a late message of the session before a migration changes nothing") {
    IntroducedPair old;
    const PathId path = 1;
    const Punch bob_first = old.bob.message(path);  // before he heard alice: echoes nothing
    exchange(old.alice, old.bob, path, old.t0);
    REQUIRE(old.alice.complete());
    // Bob's last word of the old session: verified, got his payload, his own payload.
    const Punch late = old.bob.message(path);
    REQUIRE((late.flags & flag::verified) != 0);
    REQUIRE_FALSE(late.payload.empty());

    MigratedPair now(old);
    REQUIRE(now.alice.epoch() != old.alice.epoch());
    // It echoes alice's old epoch: without epochs it would bring the path up
    // and alice would nominate it (a path that may be dead).
    const auto outcome = now.alice.receive(path, late, old.t0);
    CHECK(outcome.verdict == Session::Verdict::ignored);
    CHECK_FALSE(outcome.restarted);  // it is old, not new
    CHECK(now.alice.stale() == 1);
    CHECK_FALSE(now.alice.chosen());
    CHECK(now.alice.payload_received().empty());
    // Bob's very first message of the old session echoes nothing: it still
    // proves bob, and his new session's round follows and takes over.
    CHECK(now.alice.receive(path, bob_first, old.t0).verdict == Session::Verdict::accepted);
    CHECK_FALSE(now.alice.chosen());
    exchange(now.alice, now.bob, path, old.t0);
    CHECK(now.alice.complete());
    CHECK(now.bob.complete());
    CHECK(now.alice.payload_received() == "hello from bob");
}

TEST_CASE("session: the session that is held ignores the other's new session") {
    IntroducedPair old;
    const PathId path = 1;
    exchange(old.alice, old.bob, path, old.t0);
    REQUIRE(old.bob.complete());
    // Alice migrated (she moved); bob still holds the old path. Her new
    // session's messages are not his session's: no keepalive, no pong.
    MigratedPair now(old);
    Punch ping = now.alice.message(path);
    ping.flags |= flag::ping | flag::keepalive;
    const auto outcome = old.bob.receive(path, ping, old.t0);
    CHECK(outcome.verdict == Session::Verdict::ignored);
    CHECK_FALSE(outcome.pong);
    CHECK(old.bob.stale() == 1);
    // It says she started over: the introduction that would tell him may be lost.
    CHECK(outcome.restarted);
    // His old session's words mean nothing to her new one either.
    CHECK(now.alice.receive(path, old.bob.message(path), old.t0).verdict ==
          Session::Verdict::ignored);
}

TEST_CASE("session: flags from a side that has not heard this session are not believed") {
    IntroducedPair pair;
    const PathId path = 1;
    // Bob claims he verified alice and nominates, but echoes no epoch of hers.
    Punch early = pair.bob.message(path);
    early.flags |= flag::verified | flag::nominate | flag::got_payload;
    early.payload = "hello from bob";
    CHECK(pair.alice.receive(path, early, pair.t0).verdict == Session::Verdict::accepted);
    CHECK_FALSE(pair.alice.chosen());
    CHECK(pair.alice.payload_received().empty());
}
