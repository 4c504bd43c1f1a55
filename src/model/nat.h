#pragma once
/// The NAT and firewall behaviour vocabulary of RFC 4787 / RFC 5382, and the
/// presets (RFC 3489 names included) that name common combinations. Pure
/// data: turning a behaviour into nftables rules is ruleset.h's job.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/duration.h"
#include "model/diagnostics.h"

namespace testbed {

/// RFC 4787 mapping and filtering behaviours; `none` means no translation
/// (mapping) or no filtering at all.
enum class Behaviour { none, endpoint_independent, address_dependent, address_and_port_dependent };

enum class PortAssignment { preserve, sequential, random };

/// RFC 4787 §4.1 IP address pooling, for a NAT with several public
/// addresses: `paired` gives every mapping of one inside host the same
/// public address (REQ-2's recommendation); `arbitrary` picks one for each
/// new mapping, so two sockets of one host (or, with a mapping per
/// destination, two sessions of one socket) may leave from different
/// addresses.
enum class Pooling { paired, arbitrary };

/// RFC 4787 REQ-6: what keeps a UDP mapping alive. `both` is conntrack's
/// own (any packet either way); `outbound` only packets from the inside,
/// so a peer's keepalives alone do not hold the mapping open.
enum class Refresh { both, outbound };

/// What an unsolicited inbound SYN gets: nothing, a reset, or an ICMP port
/// unreachable (RFC 5382 REQ-4's SHOULD, sent at once rather than after 6 s).
enum class TcpUnsolicited { drop, rst, icmp };

/// The TCP and ICMP corner cases the small-TTL techniques of the seed lecture
/// depend on (its "OS issues of TCP hole punching" table). Each is a real
/// kernel behaviour, see plan/ruleset.h. Defaults are what a Linux router
/// does on its own, except that a SYN-ACK it cannot translate is dropped
/// rather than leaked with the inside source address.
struct TcpQuirks {
    TcpUnsolicited unsolicited = TcpUnsolicited::drop;
    bool icmp_errors = true;        ///< pass ICMP errors that relate to a mapping inside
    bool syn_after_syn = true;      ///< an inbound SYN on a mapping that saw only an outbound SYN
    bool synack_after_syn = false;  ///< an outbound SYN-ACK on such a mapping (translating only)
    bool rewrite_sequence = false;  ///< shift sequence numbers by 2^31 (translating only)
    bool liberal_window = false;    ///< no check of sequence numbers against the window
    /// Send and forward ICMP fragmentation-needed (RFC 1191); false is a
    /// PMTU black hole: DF packets too big for a link vanish unannounced.
    bool frag_needed = true;

    bool operator==(const TcpQuirks&) const = default;
};

/// A complete NAT behaviour, after presets are expanded.
struct NatBehaviour {
    Behaviour mapping = Behaviour::endpoint_independent;
    Behaviour filtering = Behaviour::address_and_port_dependent;
    PortAssignment ports = PortAssignment::preserve;
    int port_step = 1;  ///< for sequential assignment
    /// Random ports come from here (`port-range: 1024-65535`, the default).
    int port_low = 1024;
    int port_high = 65535;
    /// `port-block: N`: each inside host its own N ports of the range, in
    /// the order of their addresses (RFC 7422's deterministic chunks, as
    /// carrier NATs log them); 0 for none.
    int port_block = 0;
    Pooling pooling = Pooling::paired;  ///< with several public addresses
    Refresh refresh = Refresh::both;    ///< of UDP mappings
    bool hairpin = false;
    std::optional<Duration> udp_timeout;  ///< of a flow that saw a reply (and a mapping's)
    /// Of a flow that has not seen a reply yet, where it differs (deployed
    /// gateways drop a one-way flow sooner); nullopt: udp_timeout.
    std::optional<Duration> udp_timeout_initial;
    std::optional<Duration> tcp_timeout;
    TcpQuirks tcp;
    bool block_udp = false;  ///< the udp-blocked firewall

    /// Whether addresses are translated at all (mapping `none` only filters).
    bool translates() const { return mapping != Behaviour::none; }

    bool operator==(const NatBehaviour&) const = default;
};

/// `nat:` on a router: a preset name, or a behaviour map (preset empty).
struct NatSpec {
    std::string preset;
    NatBehaviour behaviour;
    SourceLoc loc;
};

/// `firewall:` on a router without translation.
struct FirewallSpec {
    std::string preset;
    Behaviour filtering = Behaviour::none;
    bool block_udp = false;
    bool block_tcp = false;
    TcpQuirks tcp;  ///< only the keys that need no translation
    SourceLoc loc;
};

/// The behaviour a preset stands for; nullopt for an unknown name.
std::optional<NatBehaviour> nat_preset(std::string_view name);
/// Every preset name, in the order the documentation lists them.
const std::vector<std::string>& nat_preset_names();

/// The firewall a preset stands for (`open`, `udp-blocked`,
/// `symmetric-udp-firewall`); nullopt for an unknown name.
std::optional<FirewallSpec> firewall_preset(std::string_view name);
/// Every firewall preset name, in the order the documentation lists them.
const std::vector<std::string>& firewall_preset_names();

/// "endpoint-independent" etc.; nullopt for an unknown name.
std::optional<Behaviour> parse_behaviour(std::string_view text);
std::string_view behaviour_name(Behaviour b);
std::optional<PortAssignment> parse_port_assignment(std::string_view text);
std::string_view port_assignment_name(PortAssignment p);
std::string_view tcp_unsolicited_name(TcpUnsolicited t);

/// The quirks that differ from the defaults, e.g. "syn-after-syn drop, icmp-errors drop";
/// empty for the defaults.
std::string describe(const TcpQuirks& q);

/// One-line human summary, e.g. "EI mapping, APD filtering, ports preserve".
std::string describe(const NatBehaviour& b);
/// A short label for tables and scenario names, e.g. "EI/AD" or "APD/APD seq2" (no commas).
std::string short_label(const NatBehaviour& b);

}  // namespace testbed
