#include "check/ladder.h"

#include <doctest/doctest.h>

#include "plan/plan.h"
#include "run/capture.h"

using namespace testbed;

namespace {

using Bytes = std::vector<uint8_t>;

Bytes mac(uint8_t last) {
    return {0x02, 0, 0, 0, 0, last};
}

Bytes ethernet(const Bytes& dst, const Bytes& src, uint16_t type) {
    Bytes f = dst;
    f.insert(f.end(), src.begin(), src.end());
    f.push_back(static_cast<uint8_t>(type >> 8));
    f.push_back(static_cast<uint8_t>(type));
    return f;
}

void put16(Bytes& b, uint16_t v) {
    b.push_back(static_cast<uint8_t>(v >> 8));
    b.push_back(static_cast<uint8_t>(v));
}

/// An Ethernet + IPv4 + UDP frame carrying `payload`.
Bytes udp(const Bytes& dst_mac, const Bytes& src_mac, std::array<uint8_t, 4> src, uint16_t sport,
          std::array<uint8_t, 4> dst, uint16_t dport, const Bytes& payload, uint16_t id = 7) {
    Bytes f = ethernet(dst_mac, src_mac, 0x0800);
    f.push_back(0x45);
    f.push_back(0);
    put16(f, static_cast<uint16_t>(20 + 8 + payload.size()));
    put16(f, id);
    put16(f, 0x4000);
    f.push_back(64);
    f.push_back(17);
    put16(f, 0);
    f.insert(f.end(), src.begin(), src.end());
    f.insert(f.end(), dst.begin(), dst.end());
    put16(f, sport);
    put16(f, dport);
    put16(f, static_cast<uint16_t>(8 + payload.size()));
    put16(f, 0);
    f.insert(f.end(), payload.begin(), payload.end());
    return f;
}

/// A STUN Binding request header (no attributes).
Bytes binding_request() {
    Bytes b = {0x00, 0x01, 0x00, 0x00, 0x21, 0x12, 0xA4, 0x42};
    for (uint8_t i = 0; i < 12; ++i) b.push_back(i);
    return b;
}

Bytes arp_request(const Bytes& src_mac, std::array<uint8_t, 4> sender,
                  std::array<uint8_t, 4> target) {
    Bytes f = ethernet(Bytes(6, 0xff), src_mac, 0x0806);
    const Bytes fixed = {0, 1, 8, 0, 6, 4, 0, 1};
    f.insert(f.end(), fixed.begin(), fixed.end());
    f.insert(f.end(), src_mac.begin(), src_mac.end());
    f.insert(f.end(), sender.begin(), sender.end());
    f.insert(f.end(), 6, 0);
    f.insert(f.end(), target.begin(), target.end());
    return f;
}

}  // namespace

TEST_CASE("describe_frame: ARP, UDP with STUN, too short") {
    CHECK(describe_frame(arp_request(mac(1), {10, 0, 1, 2}, {10, 0, 1, 1})) ==
          "ARP who has 10.0.1.1? tell 10.0.1.2");
    CHECK(describe_frame(udp(mac(2), mac(1), {10, 0, 1, 2}, 4000, {203, 0, 113, 10}, 3478,
                             binding_request())) ==
          "UDP 10.0.1.2:4000 > 203.0.113.10:3478 len 20 STUN Binding request");
    CHECK(describe_frame(udp(mac(2), mac(1), {10, 0, 1, 2}, 4000, {10, 0, 1, 3}, 9, {1, 2, 3})) ==
          "UDP 10.0.1.2:4000 > 10.0.1.3:9 len 3");
    CHECK(describe_frame({1, 2, 3}).empty());
}

TEST_CASE("build_ladder: receivers by MAC, broadcasts, and what a NAT rewrote") {
    // alice (mac 1) -> nat (home side mac 2, internet side mac 3) -> server (mac 4).
    const Bytes request = binding_request();
    std::vector<Sighting> seen = {
        // Out of order on purpose: the ladder sorts by time.
        {0.30, "internet", "nat",
         udp(mac(4), mac(3), {203, 0, 113, 1}, 61000, {203, 0, 113, 10}, 3478, request), 62},
        {0.10, "home", "alice", arp_request(mac(1), {10, 0, 1, 2}, {10, 0, 1, 1}), 42},
        {0.20, "home", "nat", ethernet(mac(1), mac(2), 0x0806), 42},
        {0.25, "home", "alice",
         udp(mac(2), mac(1), {10, 0, 1, 2}, 4000, {203, 0, 113, 10}, 3478, request), 62},
        {0.40, "internet", "server",
         udp(mac(3), mac(4), {203, 0, 113, 10}, 3478, {203, 0, 113, 1}, 61000, {9, 9}, 31), 44},
        // Another packet with the same payload but another IP id: not the same packet.
        {0.45, "internet", "nat",
         udp(mac(4), mac(3), {203, 0, 113, 1}, 61001, {203, 0, 113, 10}, 3478, request, 8), 62},
    };
    const Ladder l = build_ladder(seen, {"server", "alice", "nat", "bob"}, 100);
    REQUIRE(l.rows.size() == 6);
    CHECK(l.nodes == std::vector<std::string>{"server", "alice", "nat"});  // bob sent nothing
    CHECK(l.rows[0].to == "*");
    CHECK(l.rows[1].from == "nat");
    CHECK(l.rows[1].to == "alice");
    CHECK(l.rows[2].to == "nat");
    CHECK(l.rows[2].translation.empty());
    CHECK(l.rows[3].network == "internet");
    CHECK(l.rows[3].to == "server");
    CHECK(l.rows[3].translation == "nat rewrote the source 10.0.1.2:4000 > 203.0.113.1:61000");
    CHECK(l.rows[4].from == "server");
    CHECK(l.rows[4].to == "nat");
    CHECK(l.rows[5].translation.empty());

    const Ladder short_one = build_ladder(seen, {"server", "alice", "nat"}, 2);
    CHECK(short_one.rows.size() == 2);
    CHECK(short_one.omitted == 4);
}
