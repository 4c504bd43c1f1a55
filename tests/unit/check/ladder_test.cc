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

/// An IPv4 header (no options) for `protocol`, `body` bytes after it.
Bytes ip_header(std::array<uint8_t, 4> src, std::array<uint8_t, 4> dst, uint8_t protocol,
                uint8_t ttl, size_t body) {
    Bytes h = {0x45, 0};
    put16(h, static_cast<uint16_t>(20 + body));
    put16(h, 9);
    put16(h, 0x4000);
    h.push_back(ttl);
    h.push_back(protocol);
    put16(h, 0);
    h.insert(h.end(), src.begin(), src.end());
    h.insert(h.end(), dst.begin(), dst.end());
    return h;
}

/// A TCP header with `flags` (no options, no payload), inside its IPv4 header.
Bytes tcp_packet(std::array<uint8_t, 4> src, uint16_t sport, std::array<uint8_t, 4> dst,
                 uint16_t dport, uint8_t flags, uint8_t ttl) {
    Bytes p = ip_header(src, dst, 6, ttl, 20);
    put16(p, sport);
    put16(p, dport);
    p.insert(p.end(), 8, 0);  // sequence and acknowledgment numbers
    p.push_back(0x50);        // header length 20
    p.push_back(flags);
    p.insert(p.end(), 6, 0);  // window, checksum, urgent pointer
    return p;
}

Bytes framed(const Bytes& packet) {
    Bytes f = ethernet(mac(2), mac(1), 0x0800);
    f.insert(f.end(), packet.begin(), packet.end());
    return f;
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

TEST_CASE("describe_frame: a SYN's TTL, and the packet an ICMP error quotes") {
    const Bytes syn = tcp_packet({20, 0, 1, 10}, 5000, {20, 0, 2, 20}, 6000, 0x02, 1);
    CHECK(describe_frame(framed(syn)) == "TCP 20.0.1.10:5000 > 20.0.2.20:6000 [SYN] ttl 1");
    CHECK(
        describe_frame(framed(tcp_packet({20, 0, 2, 20}, 6000, {20, 0, 1, 10}, 5000, 0x12, 63))) ==
        "TCP 20.0.2.20:6000 > 20.0.1.10:5000 [SYN,ACK] ttl 63");
    // Only SYNs carry the TTL: it is what the small-TTL techniques set.
    CHECK(describe_frame(framed(tcp_packet({20, 0, 1, 10}, 5000, {20, 0, 2, 20}, 6000, 0x10,
                                           64))) == "TCP 20.0.1.10:5000 > 20.0.2.20:6000 [ACK]");
    // Time exceeded from the core for that SYN: type 11, code 0, 4 unused bytes.
    Bytes icmp = ip_header({20, 0, 1, 254}, {20, 0, 1, 10}, 1, 64, 8 + syn.size());
    icmp.insert(icmp.end(), {11, 0, 0, 0, 0, 0, 0, 0});
    icmp.insert(icmp.end(), syn.begin(), syn.end());
    CHECK(describe_frame(framed(icmp)) ==
          "ICMP 20.0.1.254 > 20.0.1.10 time exceeded for TCP 20.0.1.10:5000 > 20.0.2.20:6000");
    // An echo request quotes nothing.
    Bytes echo = ip_header({10, 0, 1, 2}, {10, 0, 1, 1}, 1, 64, 8);
    echo.insert(echo.end(), {8, 0, 0, 0, 0, 0, 0, 0});
    CHECK(describe_frame(framed(echo)) == "ICMP 10.0.1.2 > 10.0.1.1 echo request");
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

TEST_CASE("build_ladder: a host's reset is not the reset it received, rewritten") {
    // bob (mac 1) gets a reset from his NAT (mac 2), then sends a reset of
    // his own: both id 0, no payload, the same length. Only a reset that
    // leaves as it came (same flags) can be the same packet forwarded.
    Bytes received = framed(tcp_packet({20, 0, 2, 20}, 9, {10, 0, 2, 2}, 40683, 0x14, 64));
    std::swap_ranges(received.begin(), received.begin() + 6, received.begin() + 6);  // to mac 1
    Bytes rst = framed(tcp_packet({10, 0, 2, 2}, 37183, {20, 0, 1, 10}, 37785, 0x04, 64));
    for (Bytes* f : {&received, &rst}) {
        (*f)[18] = 0;  // IP id 0, as Linux sends resets
        (*f)[19] = 0;
    }
    const Ladder l =
        build_ladder({{1.0, "home-b", "nat-b", received, 54}, {20.0, "home-b", "bob", rst, 54}},
                     {"bob", "nat-b"}, 10);
    REQUIRE(l.rows.size() == 2);
    CHECK(l.rows[1].from == "bob");
    CHECK(l.rows[1].translation.empty());
}
