// Traffic verdicts from counts and payloads: direct, relay (the same bytes
// through a third host) and none, and the frames they are read from.

#include "check/traffic.h"

#include <doctest/doctest.h>

#include <string>

using namespace testbed;

namespace {

TrafficCheck check(const std::string& via, int min = 1) {
    return {"alice", "bob", via, min, {}};
}

std::vector<uint8_t> bytes(const std::string& s) {
    return {s.begin(), s.end()};
}

/// A payload that no other shares: `n` bytes from `seed`.
std::vector<uint8_t> unique_bytes(uint32_t seed, size_t n) {
    std::vector<uint8_t> out(n);
    for (auto& b : out) {
        seed = seed * 1664525U + 1013904223U;
        b = static_cast<uint8_t>(seed >> 24);
    }
    return out;
}

std::vector<uint8_t> concat(std::vector<uint8_t> a, const std::vector<uint8_t>& b) {
    a.insert(a.end(), b.begin(), b.end());
    return a;
}

/// `from` sends `data` to the server at `ms`, and the server sends it on to
/// `to` in an envelope of its own a millisecond later.
void relay(TrafficSeen& seen, const std::string& from, const std::string& to,
           const std::vector<uint8_t>& data, double ms) {
    seen.packets.push_back({ms, "server", from, concat(bytes("TO:peer-header-"), data)});
    seen.packets.push_back({ms + 1, to, "server", concat(bytes("FROM:server-env"), data)});
}

}  // namespace

TEST_CASE("traffic: direct needs the minimum each way, counted at the receivers") {
    TrafficSeen seen;
    seen.counts[{"bob", "alice"}] = 12;
    seen.counts[{"alice", "bob"}] = 9;
    auto v = judge_traffic(check("direct", 10), seen);
    CHECK(v.via == "none");  // 9 from bob is short of 10
    CHECK(v.summary == "direct: 12 packets alice→bob, 9 bob→alice");
    v = judge_traffic(check("direct", 9), seen);
    CHECK(v.via == "direct");
    const CheckResult r = check_traffic(check("direct", 9), seen);
    CHECK(r.passed);
    CHECK(r.process == "traffic");
    CHECK(r.what == "alice ↔ bob");
    CHECK(r.expected == "direct (at least 9 packets each way)");
    CHECK(r.actual == "direct (direct: 12 packets alice→bob, 9 bob→alice)");
    CHECK_FALSE(check_traffic(check("relay"), seen).passed);
}

TEST_CASE("traffic: relay is the same bytes leaving a third host, each way") {
    TrafficSeen seen;
    for (uint32_t i = 0; i < 3; ++i) {
        relay(seen, "alice", "bob", unique_bytes(i, 80), i * 10.0);
        relay(seen, "bob", "alice", unique_bytes(100 + i, 80), i * 10.0 + 5);
    }
    auto v = judge_traffic(check("relay", 3), seen);
    CHECK(v.via == "relay");
    CHECK(v.relay == "server");
    CHECK(v.relayed_ab == 3);
    CHECK(v.relayed_ba == 3);
    CHECK(v.summary ==
          "direct: 0 packets alice→bob, 0 bob→alice; via server: 3 alice→bob, 3 bob→alice");
    CHECK(judge_traffic(check("relay", 4), seen).via == "none");
    const CheckResult r = check_traffic(check("relay", 3), seen);
    CHECK(r.passed);
    CHECK(r.actual.starts_with("relay via server (direct: 0"));
    // Direct wins when both happened: the relay was a fallback not needed.
    seen.counts[{"bob", "alice"}] = 5;
    seen.counts[{"alice", "bob"}] = 5;
    CHECK(judge_traffic(check("direct"), seen).via == "direct");
}

TEST_CASE("traffic: a server that only introduces is no relay") {
    TrafficSeen seen;
    // Each registers with its own key; the server tells the other about it
    // in a larger message of its own: 32 of about 120 bytes are the same.
    const auto key_a = unique_bytes(1, 32);
    const auto key_b = unique_bytes(2, 32);
    seen.packets.push_back({1, "server", "alice", concat(unique_bytes(3, 60), key_a)});
    seen.packets.push_back({2, "server", "bob", concat(unique_bytes(4, 60), key_b)});
    seen.packets.push_back(
        {3, "bob", "server", concat(concat(unique_bytes(5, 40), key_a), unique_bytes(6, 50))});
    seen.packets.push_back(
        {3, "alice", "server", concat(concat(unique_bytes(7, 40), key_b), unique_bytes(8, 50))});
    const auto v = judge_traffic(check("none"), seen);
    CHECK(v.via == "none");
    CHECK(v.relayed_ab == 0);
    CHECK(v.relayed_ba == 0);
}

TEST_CASE("traffic: relayed bytes count only after they arrived, and not as padding") {
    TrafficSeen seen;
    const auto data = unique_bytes(9, 80);
    // The server sent it before it got it: not relayed.
    seen.packets.push_back({10, "server", "alice", data});
    seen.packets.push_back({5, "bob", "server", data});
    // Runs of one byte say nothing: zero padding on both sides.
    seen.packets.push_back({20, "server", "bob", std::vector<uint8_t>(100, 0)});
    seen.packets.push_back({21, "alice", "server", std::vector<uint8_t>(100, 0)});
    const auto v = judge_traffic(check("relay"), seen);
    CHECK(v.relayed_ab == 0);
    CHECK(v.relayed_ba == 0);
    CHECK(v.via == "none");
}

TEST_CASE("traffic: a small datagram in a relay's larger envelope counts") {
    TrafficSeen seen;
    // TURN: alice's ChannelData carries 20 bytes; bob gets them bare, and
    // bob's 20 bytes reach alice inside a 60-byte Data indication.
    const auto to_bob = unique_bytes(11, 20);
    const auto to_alice = unique_bytes(12, 20);
    seen.packets.push_back({1, "server", "alice", concat(bytes("\x40\x00\x00\x14"), to_bob)});
    seen.packets.push_back({2, "bob", "server", to_bob});
    seen.packets.push_back({3, "server", "bob", to_alice});
    seen.packets.push_back({4, "alice", "server", concat(unique_bytes(13, 40), to_alice)});
    const auto v = judge_traffic(check("relay"), seen);
    CHECK(v.via == "relay");
    CHECK(v.relay == "server");
}

TEST_CASE("traffic: the capture's losses are said") {
    TrafficSeen seen;
    seen.missed = 7;
    CHECK(judge_traffic(check("none"), seen)
              .summary.ends_with("; the capture kept no payload of 7 packets (lost, or past the "
                                 "first 4096 of a pair: "
                                 "relayed counts are at least these)"));
}

TEST_CASE("traffic: tagged UDP and TCP payloads out of Ethernet frames") {
    auto frame = [](uint8_t tos, uint8_t protocol, const std::vector<uint8_t>& transport) {
        std::vector<uint8_t> f(14, 0);
        f[12] = 0x08;
        const size_t total = 20 + transport.size();
        const std::vector<uint8_t> ip{0x45,
                                      tos,
                                      static_cast<uint8_t>(total >> 8),
                                      static_cast<uint8_t>(total),
                                      0,
                                      0,
                                      0x40,
                                      0,
                                      64,
                                      protocol,
                                      0,
                                      0,
                                      10,
                                      0,
                                      0,
                                      1,
                                      10,
                                      0,
                                      0,
                                      2};
        f.insert(f.end(), ip.begin(), ip.end());
        f.insert(f.end(), transport.begin(), transport.end());
        return f;
    };
    std::vector<uint8_t> udp{0x30, 0x39, 0x0d, 0x96, 0, 13, 0, 0};
    const auto hello = bytes("hello");
    udp.insert(udp.end(), hello.begin(), hello.end());
    auto f = frame(5 << 2 | 1, 17, udp);  // tag 5, an ECN bit set
    auto p = tagged_payload(f.data(), f.size());
    REQUIRE(p);
    CHECK(p->tag == 5);
    CHECK(p->payload == hello);

    std::vector<uint8_t> tcp(20, 0);
    tcp[12] = 5 << 4;
    tcp.insert(tcp.end(), hello.begin(), hello.end());
    f = frame(63 << 2, 6, tcp);
    p = tagged_payload(f.data(), f.size());
    REQUIRE(p);
    CHECK(p->tag == 63);
    CHECK(p->payload == hello);

    f = frame(0, 17, udp);  // untagged: a router's own, or the machine's
    CHECK_FALSE(tagged_payload(f.data(), f.size()));
    f = frame(4, 1, udp);  // ICMP: counted, but no payload to compare
    CHECK_FALSE(tagged_payload(f.data(), f.size()));
    f = frame(4, 6, tcp);
    f.resize(14 + 20 + 10);  // cut inside the TCP header
    CHECK_FALSE(tagged_payload(f.data(), f.size()));
    f = frame(4, 17, udp);
    f[14 + 6] = 0x20;  // a later fragment: no UDP header in it
    f[14 + 7] = 0x10;
    CHECK_FALSE(tagged_payload(f.data(), f.size()));
}
