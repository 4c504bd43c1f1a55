#include "check/ladder.h"

#include <fmt/core.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <array>
#include <map>
#include <optional>

namespace testbed {
namespace {

using Mac = std::array<uint8_t, 6>;

uint16_t be16(const std::vector<uint8_t>& b, size_t at) {
    return static_cast<uint16_t>(b[at] << 8 | b[at + 1]);
}

uint32_t be32(const std::vector<uint8_t>& b, size_t at) {
    return static_cast<uint32_t>(be16(b, at)) << 16 | be16(b, at + 2);
}

std::string ipv4(const std::vector<uint8_t>& b, size_t at) {
    return fmt::format("{}.{}.{}.{}", b[at], b[at + 1], b[at + 2], b[at + 3]);
}

Mac mac_at(const std::vector<uint8_t>& b, size_t at) {
    Mac m{};
    std::copy_n(b.begin() + static_cast<std::ptrdiff_t>(at), 6, m.begin());
    return m;
}

constexpr size_t kEthernet = 14;
constexpr uint16_t kIpv4 = 0x0800, kArp = 0x0806, kIpv6 = 0x86DD;
constexpr uint8_t kTcpSyn = 0x02;

/// The parts of an IPv4 packet the ladder needs.
struct Packet {
    uint8_t protocol = 0;
    uint8_t ttl = 0;
    uint16_t id = 0;
    uint16_t total_length = 0;
    std::string source, destination;  ///< with ":port" for UDP and TCP
    size_t l4 = 0;                    ///< offset of the transport header in the frame
    size_t payload = 0;               ///< offset of the transport payload in the frame
};

/// The IPv4 header at `ip` (after the Ethernet header, or the one an ICMP
/// error quotes); offsets are into `f`.
std::optional<Packet> parse_ipv4_at(const std::vector<uint8_t>& f, size_t ip) {
    if (f.size() < ip + 20 || (f[ip] >> 4) != 4) return std::nullopt;
    const size_t header = static_cast<size_t>(f[ip] & 0x0F) * 4;
    if (header < 20 || f.size() < ip + header) return std::nullopt;
    Packet p;
    p.protocol = f[ip + 9];
    p.ttl = f[ip + 8];
    p.id = be16(f, ip + 4);
    p.total_length = be16(f, ip + 2);
    p.source = ipv4(f, ip + 12);
    p.destination = ipv4(f, ip + 16);
    const size_t l4 = ip + header;
    p.l4 = l4;
    p.payload = l4;
    if ((p.protocol == 17 || p.protocol == 6) && f.size() >= l4 + 4) {
        p.source += fmt::format(":{}", be16(f, l4));
        p.destination += fmt::format(":{}", be16(f, l4 + 2));
        if (p.protocol == 17) p.payload = l4 + 8;
        if (p.protocol == 6 && f.size() >= l4 + 13)
            p.payload = l4 + static_cast<size_t>(f[l4 + 12] >> 4) * 4;
    }
    return p;
}

std::optional<Packet> parse_ipv4(const std::vector<uint8_t>& f) {
    if (f.size() < kEthernet || be16(f, 12) != kIpv4) return std::nullopt;
    return parse_ipv4_at(f, kEthernet);
}

/// The rendezvous protocol's own methods (src/punch/protocol.h), by number.
std::string stun_method(uint16_t method) {
    switch (method) {
        case 0x001:
            return "Binding";
        case 0xF01:
            return "Register";
        case 0xF02:
            return "Connect";
        case 0xF03:
            return "Introduction";
        case 0xF04:
            return "Reversal";
        case 0xF05:
            return "Relay";
        case 0xF06:
            return "Punch";
        case 0xF07:
            return "Syn";
        default:
            return fmt::format("method {:#05x}", method);
    }
}

/// " STUN Binding request" when the payload at `at` is a STUN message.
std::string stun_text(const std::vector<uint8_t>& f, size_t at) {
    if (f.size() < at + 20 || be32(f, at + 4) != 0x2112A442 || (f[at] & 0xC0) != 0) return "";
    const uint16_t type = be16(f, at);
    const uint16_t method =
        static_cast<uint16_t>((type & 0x000F) | ((type & 0x00E0) >> 1) | ((type & 0x3E00) >> 2));
    static const char* const kClass[] = {"request", "indication", "success", "error"};
    const int cls = ((type >> 4) & 1) | ((type >> 7) & 2);
    return fmt::format(" STUN {} {}", stun_method(method), kClass[cls]);
}

std::string tcp_flags(uint8_t flags) {
    static const char* const kNames[] = {"FIN", "SYN", "RST", "PSH", "ACK"};
    std::string out;
    for (int i = 0; i < 5; ++i) {
        if (flags & (1 << i)) out += (out.empty() ? "" : ",") + std::string(kNames[i]);
    }
    return out;
}

std::string icmp_text(uint8_t type, uint8_t code) {
    if (type == 0) return "echo reply";
    if (type == 8) return "echo request";
    if (type == 3) {
        static const char* const kUnreachable[] = {"net", "host", "protocol", "port"};
        return code < 4 ? fmt::format("{} unreachable", kUnreachable[code])
                        : fmt::format("unreachable (code {})", code);
    }
    if (type == 11) return "time exceeded";
    return fmt::format("type {} code {}", type, code);
}

/// " for TCP 10.0.1.2:5000 > 20.0.2.20:5000": the packet an ICMP error
/// (unreachable, time exceeded) quotes after its 8-byte header.
std::string quoted_packet(const std::vector<uint8_t>& f, const Packet& icmp) {
    const uint8_t type = f[icmp.l4];
    if (type != 3 && type != 11) return "";
    const auto inner = parse_ipv4_at(f, icmp.l4 + 8);
    if (!inner) return "";
    const char* name = inner->protocol == 6 ? "TCP" : inner->protocol == 17 ? "UDP" : "IP";
    return fmt::format(" for {} {} > {}", name, inner->source, inner->destination);
}

std::string arp_text(const std::vector<uint8_t>& f) {
    if (f.size() < kEthernet + 28) return "ARP";
    const size_t a = kEthernet;
    if (be16(f, a + 6) == 1)
        return fmt::format("ARP who has {}? tell {}", ipv4(f, a + 24), ipv4(f, a + 14));
    return fmt::format("ARP {} is at {:02x}", ipv4(f, a + 14),
                       fmt::join(f.begin() + a + 8, f.begin() + a + 14, ":"));
}

/// What identifies one IP packet across hops: a NAT rewrites addresses,
/// ports and checksums, but not the id, the length, TCP's flags or the
/// payload. (The flags matter: Linux sends resets and SYN-ACKs with id 0
/// and no payload, so a host's reset would otherwise pass for a reset it
/// received a moment earlier, forwarded and rewritten.)
struct HopKey {
    uint16_t id;
    uint16_t length;
    uint8_t protocol;
    uint8_t tcp_flags;
    uint64_t payload_hash;
    bool operator==(const HopKey&) const = default;
};

HopKey hop_key(const std::vector<uint8_t>& f, const Packet& p) {
    uint64_t h = 1469598103934665603ull;  // FNV-1a
    for (size_t i = p.payload; i < f.size(); ++i) h = (h ^ f[i]) * 1099511628211ull;
    const uint8_t flags = p.protocol == 6 && f.size() > p.l4 + 13 ? f[p.l4 + 13] : 0;
    return {p.id, p.total_length, p.protocol, flags, h};
}

std::string rewritten(const std::string& node, const Packet& before, const Packet& after) {
    std::string out;
    auto part = [&](const char* what, const std::string& a, const std::string& b) {
        if (a == b) return;
        out += fmt::format("{}{} rewrote the {} {} > {}", out.empty() ? "" : "; ",
                           out.empty() ? node : "and", what, a, b);
    };
    part("source", before.source, after.source);
    part("destination", before.destination, after.destination);
    return out;
}

}  // namespace

std::string describe_frame(const std::vector<uint8_t>& f) {
    if (f.size() < kEthernet) return "";
    const uint16_t type = be16(f, 12);
    if (type == kArp) return arp_text(f);
    if (type == kIpv6) return "IPv6";
    const auto p = parse_ipv4(f);
    if (!p) return fmt::format("ethertype {:#06x}", type);
    const size_t l4 = p->l4;
    switch (p->protocol) {
        case 17:
            return fmt::format(
                "UDP {} > {} len {}{}", p->source, p->destination,
                static_cast<int>(p->total_length) - static_cast<int>(l4 - kEthernet) - 8,
                stun_text(f, p->payload));
        case 6: {
            const uint8_t flags = f.size() > l4 + 13 ? f[l4 + 13] : 0;
            // A SYN's TTL is what the small-TTL techniques are about.
            const std::string ttl =
                (flags & kTcpSyn) ? fmt::format(" ttl {}", static_cast<int>(p->ttl)) : "";
            return fmt::format("TCP {} > {} [{}]{}{}", p->source, p->destination, tcp_flags(flags),
                               ttl, stun_text(f, p->payload));
        }
        case 1:
            return f.size() > l4 + 1
                       ? fmt::format("ICMP {} > {} {}{}", p->source, p->destination,
                                     icmp_text(f[l4], f[l4 + 1]), quoted_packet(f, *p))
                       : "ICMP";
        default:
            return fmt::format("IP {} > {} protocol {}", p->source, p->destination, p->protocol);
    }
}

Ladder build_ladder(std::vector<Sighting> sightings, const std::vector<std::string>& nodes,
                    size_t max_rows) {
    std::stable_sort(sightings.begin(), sightings.end(),
                     [](const Sighting& a, const Sighting& b) { return a.ms < b.ms; });
    // Who owns which MAC on which network, from the frames each one sent.
    std::map<std::pair<std::string, Mac>, std::string> owner;
    for (const auto& s : sightings) {
        if (s.head.size() >= kEthernet)
            owner.emplace(std::pair{s.network, mac_at(s.head, 6)}, s.sender);
    }
    Ladder ladder;
    struct Seen {
        double ms;
        std::string to;
        HopKey key;
        Packet packet;
    };
    std::vector<Seen> recent;  // IPv4 packets of the last 50 ms, to find their next hop
    for (const auto& s : sightings) {
        if (s.head.size() < kEthernet) continue;
        LadderRow row{s.ms, s.network, s.sender, "?", describe_frame(s.head), ""};
        const Mac dst = mac_at(s.head, 0);
        if (dst == Mac{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}) {
            row.to = "*";
        } else if (auto it = owner.find({s.network, dst}); it != owner.end()) {
            row.to = it->second;
        }
        if (const auto p = parse_ipv4(s.head)) {
            const HopKey key = hop_key(s.head, *p);
            std::erase_if(recent, [&](const Seen& r) { return s.ms - r.ms > 50; });
            for (auto it = recent.rbegin(); it != recent.rend(); ++it) {
                if (it->key == key && it->to == s.sender) {
                    row.translation = rewritten(s.sender, it->packet, *p);
                    break;
                }
            }
            recent.push_back({s.ms, row.to, key, *p});
        }
        if (ladder.rows.size() < max_rows)
            ladder.rows.push_back(std::move(row));
        else
            ++ladder.omitted;
    }
    for (const auto& n : nodes) {
        const bool used = std::any_of(ladder.rows.begin(), ladder.rows.end(),
                                      [&](const LadderRow& r) { return r.from == n || r.to == n; });
        if (used) ladder.nodes.push_back(n);
    }
    return ladder;
}

}  // namespace testbed
