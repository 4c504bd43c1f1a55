#pragma once
/// IPv4 addresses and subnets as plain values: parsing, formatting, and the
/// arithmetic the validator needs (containment, overlap, the n-th host).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace testbed {

/// An IPv4 address in host byte order.
struct Ipv4 {
    uint32_t value = 0;

    /// Parses dotted-quad "a.b.c.d"; nullopt on anything else.
    static std::optional<Ipv4> parse(std::string_view text);
    /// Dotted-quad text.
    std::string str() const;

    auto operator<=>(const Ipv4&) const =
        default;  // NOLINT(modernize-use-nullptr): a clang-tidy false positive on defaulted <=>
};

/// An IPv4 subnet: a network address and a prefix length.
struct Subnet {
    Ipv4 network;
    int prefix = 0;

    /// Parses "a.b.c.d/n". Fails (nullopt, with `why` set) when the text is
    /// malformed or host bits are set ("10.0.0.1/24").
    static std::optional<Subnet> parse(std::string_view text, std::string* why = nullptr);
    std::string str() const;

    uint32_t mask() const;
    /// The broadcast address (last address of the subnet).
    Ipv4 broadcast() const;
    bool contains(Ipv4 address) const;
    bool overlaps(const Subnet& other) const;
    /// True when `address` may be given to an interface: inside the subnet and,
    /// for prefixes up to /30, neither the network nor the broadcast address.
    bool is_usable_host(Ipv4 address) const;
    /// The first usable host address (".1" of a /24).
    Ipv4 first_host() const;
    /// The last usable host address.
    Ipv4 last_host() const;

    auto operator<=>(const Subnet&) const = default;
};

/// A special-purpose IPv4 range (RFC 6890's registry and its kin): where an
/// address is not ordinary public unicast.
struct SpecialRange {
    const char* subnet;  ///< "203.0.113.0/24"
    const char* name;    ///< "documentation, TEST-NET-3 (RFC 5737)"
};

/// The special-purpose range holding `address`, or nullopt for an ordinary
/// public address. The list is the one miniupnpd checks before it calls an
/// address public (its getifaddr.c), so what this calls special, miniupnpd
/// refuses as a gateway's external address.
std::optional<SpecialRange> special_purpose_range(Ipv4 address);

}  // namespace testbed
