// Hand-made TCP segments: the header's fields where RFC 9293 puts them, a
// checksum a receiver accepts, and the parser of what a packet socket sees.

#include "programs/net/tcp_raw.h"

#include <doctest/doctest.h>

using namespace testbed;
using namespace testbed::programs;

namespace {

stun::Endpoint ep(const char* text) {
    return *stun::Endpoint::parse(text);
}

/// An IPv4 header (no options) in front of `segment`.
std::vector<uint8_t> ipv4_packet(const TcpSegmentSpec& spec, const std::vector<uint8_t>& segment,
                                 uint8_t protocol = 6) {
    const uint32_t from = spec.from.ip.value;
    const uint32_t to = spec.to.ip.value;
    std::vector<uint8_t> p{0x45, 0, 0, 0, 0, 0, 0, 0, 61, protocol, 0, 0};
    for (const uint32_t address : {from, to}) {
        for (const int shift : {24, 16, 8, 0}) p.push_back(static_cast<uint8_t>(address >> shift));
    }
    for (const uint8_t byte : segment) p.push_back(byte);
    return p;
}

}  // namespace

TEST_CASE("tcp_raw: a SYN-ACK's fields and a checksum the receiver accepts") {
    TcpSegmentSpec spec;
    spec.from = ep("20.0.1.10:40000");
    spec.to = ep("20.0.0.100:7000");
    spec.seq = 0x80000001;
    spec.ack = 12345;
    spec.flags = tcp_flag::syn | tcp_flag::ack;
    const auto s = tcp_segment(spec);
    REQUIRE(s.size() == 20);
    CHECK(s[0] == 0x9c);  // 40000
    CHECK(s[1] == 0x40);
    CHECK(s[4] == 0x80);
    CHECK(s[7] == 0x01);
    CHECK(s[12] == 0x50);  // data offset: 5 words
    CHECK(s[13] == 0x12);
    // A receiver sums the pseudo-header and the segment, checksum included: 0 after ~.
    CHECK(tcp_checksum(spec.from, spec.to, s) == 0);
    auto corrupted = s;
    corrupted[5] ^= 0x01;
    CHECK(tcp_checksum(spec.from, spec.to, corrupted) != 0);
}

TEST_CASE("tcp_raw: the parser reads back a segment, an ICMP message, and refuses the rest") {
    TcpSegmentSpec spec;
    spec.from = ep("10.0.1.2:40000");
    spec.to = ep("20.0.0.100:7000");
    spec.seq = 7;
    spec.ack = 9;
    spec.flags = tcp_flag::syn;
    const auto packet = ipv4_packet(spec, tcp_segment(spec));
    const auto seen = parse_tcp_packet(packet);
    REQUIRE(seen);
    CHECK(seen->from == spec.from);
    CHECK(seen->to == spec.to);
    CHECK(seen->seq == 7);
    CHECK(seen->ack == 9);
    CHECK(seen->flags == tcp_flag::syn);
    CHECK(seen->ttl == 61);
    CHECK_FALSE(seen->icmp_type);

    const std::vector<uint8_t> icmp_body{11, 0, 0, 0, 0, 0, 0, 0};
    const auto icmp = parse_tcp_packet(ipv4_packet(spec, icmp_body, 1));
    REQUIRE(icmp);
    CHECK(icmp->icmp_type == 11);

    CHECK_FALSE(parse_tcp_packet(ipv4_packet(spec, tcp_segment(spec), 17)));  // UDP
    CHECK_FALSE(parse_tcp_packet(std::span(packet.data(), 30)));              // truncated
    auto ipv6 = packet;
    ipv6[0] = 0x60;
    CHECK_FALSE(parse_tcp_packet(ipv6));
}
