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
