// Path authentication: a proof checks only for its key, session and ids.

#include "punch/auth.h"

#include <doctest/doctest.h>

#include "punch/protocol.h"
#include "punch/registry.h"
#include "punch/session.h"

using namespace testbed;
using namespace testbed::punch;
using namespace std::chrono_literals;

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

TEST_CASE("auth: a registration proof holds only for its key, nonce and id") {
    Identity alice;
    Identity mallory;
    Nonce nonce{};
    nonce[19] = 1;
    const Register signed_by_alice =
        alice.sign(Register{"alice", alice.public_key(), {}, 0, {}, {}}, nonce);
    CHECK(check_registration(signed_by_alice));

    Register unsigned_one = signed_by_alice;
    unsigned_one.proof.reset();
    CHECK_FALSE(check_registration(unsigned_one));

    // Another nonce (a replay to another contact or time), another id.
    Register replayed = signed_by_alice;
    replayed.nonce->at(0) ^= 1;
    CHECK_FALSE(check_registration(replayed));
    Register renamed = signed_by_alice;
    renamed.id = "alice2";
    CHECK_FALSE(check_registration(renamed));

    // Alice's public key with mallory's signature: the take-over of issue #12 point 11.
    const Register impostor =
        mallory.sign(Register{"alice", alice.public_key(), {}, 0, {}, {}}, nonce);
    CHECK_FALSE(check_registration(impostor));
}
