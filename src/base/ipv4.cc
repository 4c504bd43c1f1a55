#include "base/ipv4.h"

#include <fmt/core.h>

#include <charconv>

namespace testbed {
namespace {

std::optional<uint32_t> parse_number(std::string_view text, uint32_t max) {
    if (text.empty() || text.size() > 3) return std::nullopt;
    uint32_t value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size() || value > max) return std::nullopt;
    return value;
}

}  // namespace

std::optional<Ipv4> Ipv4::parse(std::string_view text) {
    uint32_t result = 0;
    for (int part = 0; part < 4; ++part) {
        const size_t dot = text.find('.');
        const bool last = part == 3;
        if (last != (dot == std::string_view::npos)) return std::nullopt;
        auto octet = parse_number(text.substr(0, dot), 255);
        if (!octet) return std::nullopt;
        result = (result << 8) | *octet;
        text = last ? std::string_view() : text.substr(dot + 1);
    }
    return Ipv4{result};
}

std::string Ipv4::str() const {
    return fmt::format("{}.{}.{}.{}", value >> 24, (value >> 16) & 0xff, (value >> 8) & 0xff,
                       value & 0xff);
}

std::optional<Subnet> Subnet::parse(std::string_view text, std::string* why) {
    auto fail = [&](std::string reason) -> std::optional<Subnet> {
        if (why) *why = std::move(reason);
        return std::nullopt;
    };
    const size_t slash = text.find('/');
    if (slash == std::string_view::npos) return fail("expected a subnet like 10.0.1.0/24");
    auto address = Ipv4::parse(text.substr(0, slash));
    if (!address) return fail("expected a subnet like 10.0.1.0/24");
    auto prefix = parse_number(text.substr(slash + 1), 32);
    if (!prefix) return fail("the prefix length must be a number from 0 to 32");
    Subnet subnet{*address, static_cast<int>(*prefix)};
    if ((address->value & ~subnet.mask()) != 0) {
        Subnet fixed{Ipv4{address->value & subnet.mask()}, subnet.prefix};
        return fail(fmt::format("host bits are set; did you mean {}?", fixed.str()));
    }
    if (subnet.prefix > 30) return fail("the prefix must be /30 or shorter to hold two hosts");
    return subnet;
}

std::string Subnet::str() const {
    return fmt::format("{}/{}", network.str(), prefix);
}

uint32_t Subnet::mask() const {
    return prefix == 0 ? 0 : ~uint32_t{0} << (32 - prefix);
}

Ipv4 Subnet::broadcast() const {
    return Ipv4{network.value | ~mask()};
}

bool Subnet::contains(Ipv4 address) const {
    return (address.value & mask()) == network.value;
}

bool Subnet::overlaps(const Subnet& other) const {
    const uint32_t common = prefix < other.prefix ? mask() : other.mask();
    return (network.value & common) == (other.network.value & common);
}

bool Subnet::is_usable_host(Ipv4 address) const {
    if (!contains(address)) return false;
    if (prefix >= 31) return true;
    return address != network && address != broadcast();
}

Ipv4 Subnet::first_host() const {
    return Ipv4{network.value + (prefix >= 31 ? 0 : 1)};
}

Ipv4 Subnet::last_host() const {
    return Ipv4{broadcast().value - (prefix >= 31 ? 0 : 1)};
}

namespace {

constexpr SpecialRange kSpecialRanges[] = {
    {"0.0.0.0/8", "\"this network\" (RFC 1122)"},
    {"10.0.0.0/8", "private use (RFC 1918)"},
    {"100.64.0.0/10", "shared address space for carrier NATs (RFC 6598)"},
    {"127.0.0.0/8", "loopback (RFC 1122)"},
    {"169.254.0.0/16", "link local (RFC 3927)"},
    {"172.16.0.0/12", "private use (RFC 1918)"},
    {"192.0.0.0/24", "IETF protocol assignments (RFC 6890)"},
    {"192.0.2.0/24", "documentation, TEST-NET-1 (RFC 5737)"},
    {"192.31.196.0/24", "AS112-v4 (RFC 7535)"},
    {"192.52.193.0/24", "AMT (RFC 7450)"},
    {"192.88.99.0/24", "6to4 relay anycast (RFC 7526)"},
    {"192.168.0.0/16", "private use (RFC 1918)"},
    {"192.175.48.0/24", "direct delegation AS112 service (RFC 7534)"},
    {"198.18.0.0/15", "benchmarking (RFC 2544)"},
    {"198.51.100.0/24", "documentation, TEST-NET-2 (RFC 5737)"},
    {"203.0.113.0/24", "documentation, TEST-NET-3 (RFC 5737)"},
    {"224.0.0.0/4", "multicast (RFC 1112)"},
    {"240.0.0.0/4", "reserved (RFC 1112)"},
};

}  // namespace

std::optional<SpecialRange> special_purpose_range(Ipv4 address) {
    for (const auto& range : kSpecialRanges) {
        if (Subnet::parse(range.subnet)->contains(address)) return range;
    }
    return std::nullopt;
}

}  // namespace testbed
