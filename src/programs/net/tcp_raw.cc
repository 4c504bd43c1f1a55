#include "programs/net/tcp_raw.h"

#include <arpa/inet.h>
#include <fmt/core.h>
#include <linux/if_ether.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>

#include <array>

#include "base/big_endian.h"
#include "base/error.h"
#include "programs/net/sockaddr.h"

namespace testbed::programs {
namespace {

using big_endian::read16;
using big_endian::read32;
using big_endian::write16;
using big_endian::write32;

constexpr size_t kTcpHeader = 20;
constexpr size_t kIpHeader = 20;
constexpr uint8_t kProtocolIcmp = 1;
constexpr uint8_t kProtocolTcp = 6;

uint32_t add_words(uint32_t sum, std::span<const uint8_t> bytes) {
    for (size_t i = 0; i + 1 < bytes.size(); i += 2) sum += read16(bytes, i);
    if (bytes.size() % 2 == 1) sum += static_cast<uint32_t>(bytes.back()) << 8;
    return sum;
}

/// The two 16-bit words of an address, summed as the checksum sums them.
uint32_t address_words(const Ipv4& ip) {
    return (ip.value >> 16) + (ip.value & 0xffff);
}

}  // namespace

uint16_t tcp_checksum(const stun::Endpoint& from, const stun::Endpoint& to,
                      std::span<const uint8_t> segment) {
    uint32_t sum = address_words(from.ip) + address_words(to.ip);
    sum += kProtocolTcp;
    sum += static_cast<uint32_t>(segment.size());
    sum = add_words(sum, segment);
    while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
    return static_cast<uint16_t>(~sum & 0xffff);
}

std::vector<uint8_t> tcp_segment(const TcpSegmentSpec& spec) {
    std::vector<uint8_t> out(kTcpHeader, 0);
    write16(out, 0, spec.from.port);
    write16(out, 2, spec.to.port);
    write32(out, 4, spec.seq);
    write32(out, 8, spec.ack);
    out[12] = (kTcpHeader / 4) << 4;
    out[13] = spec.flags;
    write16(out, 14, spec.window);
    write16(out, 16, tcp_checksum(spec.from, spec.to, out));
    return out;
}

std::optional<SeenSegment> parse_tcp_packet(std::span<const uint8_t> packet) {
    if (packet.size() < kIpHeader || (packet[0] >> 4) != 4) return std::nullopt;
    const size_t ihl = static_cast<size_t>(packet[0] & 0x0f) * 4;
    if (packet[9] == kProtocolIcmp && ihl >= kIpHeader && packet.size() >= ihl + 8) {
        SeenSegment s;
        s.from = {Ipv4{read32(packet, 12)}, 0};
        s.to = {Ipv4{read32(packet, 16)}, 0};
        s.icmp_type = packet[ihl];
        s.icmp_code = packet[ihl + 1];
        s.ttl = packet[8];
        return s;
    }
    if (packet[9] != kProtocolTcp) return std::nullopt;
    if (ihl < 20 || packet.size() < ihl + kTcpHeader) return std::nullopt;
    const auto tcp = packet.subspan(ihl);
    SeenSegment s;
    s.from = {Ipv4{read32(packet, 12)}, read16(tcp, 0)};
    s.to = {Ipv4{read32(packet, 16)}, read16(tcp, 2)};
    s.seq = read32(tcp, 4);
    s.ack = read32(tcp, 8);
    s.flags = tcp[13];
    s.ttl = packet[8];
    return s;
}

SegmentWatch::SegmentWatch()
    : fd_(::socket(AF_PACKET, SOCK_DGRAM | SOCK_CLOEXEC, htons(ETH_P_ALL))) {
    // ETH_P_ALL: a socket for ETH_P_IP alone never sees what the host sends.
    if (!fd_.valid()) {
        throw_errno(
            "socket(AF_PACKET, SOCK_DGRAM, ETH_P_ALL) to watch TCP segments (needs CAP_NET_RAW)");
    }
}

std::optional<SeenSegment> SegmentWatch::next_any(std::chrono::steady_clock::time_point deadline) {
    std::array<uint8_t, 2048> buffer{};
    for (;;) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        if (left.count() < 0) return std::nullopt;
        pollfd p{fd_.get(), POLLIN, 0};
        if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) return std::nullopt;
        const ssize_t n = ::recv(fd_.get(), buffer.data(), buffer.size(), 0);
        if (n <= 0) continue;
        if (auto s = parse_tcp_packet(std::span(buffer.data(), static_cast<size_t>(n)))) return s;
    }
}

void send_tcp_segment(const TcpSegmentSpec& spec) {
    // IPPROTO_RAW writes the IPv4 header too (IP_HDRINCL): the source may be
    // any address, which is what a spoofer needs. The kernel fills in the
    // total length, the header checksum and the id.
    const Fd fd(::socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_RAW));
    if (!fd.valid()) throw_errno("socket(AF_INET, SOCK_RAW, IPPROTO_RAW) (needs CAP_NET_RAW)");
    const auto segment = tcp_segment(spec);
    std::vector<uint8_t> packet(kIpHeader, 0);
    packet[0] = 0x45;
    packet[8] = 64;  // TTL
    packet[9] = kProtocolTcp;
    write32(packet, 12, spec.from.ip.value);
    write32(packet, 16, spec.to.ip.value);
    packet.insert(packet.end(), segment.begin(), segment.end());
    write16(packet, 2, static_cast<uint16_t>(packet.size()));
    const sockaddr_in to = to_sockaddr(stun::Endpoint{spec.to.ip, 0});
    if (::sendto(fd.get(), packet.data(), packet.size(), 0, reinterpret_cast<const sockaddr*>(&to),
                 sizeof to) < 0) {
        throw_errno(
            fmt::format("sendto(raw TCP segment {} -> {})", spec.from.str(), spec.to.str()));
    }
}

}  // namespace testbed::programs
