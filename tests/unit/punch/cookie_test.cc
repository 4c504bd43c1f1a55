// Registration cookies (punch/cookie.h): good for the contact they were
// made for, for one to two periods; anything else is stale or forged.

#include "punch/cookie.h"

#include <doctest/doctest.h>

#include "support/punch_helpers.h"

using namespace testbed;
using namespace testbed::punch;
using namespace std::chrono_literals;
using testing::udp;

TEST_CASE("cookie: good for its contact within one to two periods, then stale") {
    const CookieJar jar(30s);
    const Contact alice = udp("203.0.113.10:4000");
    const Time t0 = Time{} + 1000s;
    const Nonce n = jar.make(alice, t0);
    CHECK(jar.check(n, alice, t0) == CookieJar::Verdict::good);
    CHECK(jar.check(n, alice, t0 + 30s) == CookieJar::Verdict::good);
    CHECK(jar.check(n, alice, t0 + 60s) == CookieJar::Verdict::stale);
}

TEST_CASE("cookie: another contact, a tampered cookie or another server's is forged") {
    const CookieJar jar;
    const CookieJar other;
    const Time t0 = Time{} + 1000s;
    const Contact alice = udp("203.0.113.10:4000");
    const Nonce n = jar.make(alice, t0);
    CHECK(jar.check(n, udp("203.0.113.10:4001"), t0) == CookieJar::Verdict::forged);
    CHECK(jar.check(n, udp("203.0.113.66:4000"), t0) == CookieJar::Verdict::forged);
    CHECK(jar.check(n, Contact{true, alice.endpoint, 0}, t0) == CookieJar::Verdict::forged);
    Nonce tampered = n;
    tampered[3] ^= 1;  // claims another bucket
    CHECK(jar.check(tampered, alice, t0) == CookieJar::Verdict::forged);
    CHECK(other.check(n, alice, t0) == CookieJar::Verdict::forged);
}
