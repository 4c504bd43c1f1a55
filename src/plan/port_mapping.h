#pragma once
/// A router's `port-mapping:` as the real gateway daemon runs it: miniupnpd
/// (Debian's miniupnpd-nftables) in the router's namespace, with a
/// configuration made here and an nftables table of the testbed's own that
/// it fills with its mappings. Pure, so the configuration and the table have
/// golden tests.
///
/// How the daemon's rules and the router's own work together: miniupnpd
/// writes a DNAT per mapping into `prerouting_miniupnpd`, hooked at dstnat -
/// 20, before the router's own nat chains; a connection it translated keeps
/// kGatewayMark, which the router's ruleset lets through (forward, and the
/// address-dependent screen, which then runs after the nat chains), while
/// everything else meets the NAT's filtering as before. miniupnpd answers
/// NAT-PMP and PCP on one socket; a protocol the topology leaves off is
/// dropped by version on the way in.

#include <optional>
#include <string>
#include <vector>

#include "model/topology.h"

namespace testbed {

/// The gateway daemon (Debian's miniupnpd-nftables).
inline constexpr const char* kGatewayProgram = "miniupnpd";
/// The table the daemon fills (never replaced by a `set-nat` or `flush`).
inline constexpr const char* kPortMapTable = "testbed_portmap";
/// Where UPnP's HTTP (description and SOAP) listens on the lans.
inline constexpr int kUpnpHttpPort = 2869;
/// Where UPnP's SSDP discovery listens (multicast 239.255.255.250).
inline constexpr int kSsdpPort = 1900;
/// NAT-PMP and PCP (RFC 6886, RFC 6887).
inline constexpr int kPcpPort = 5351;
/// The conntrack mark of a connection the daemon's DNAT translated: set on
/// every new inbound connection before its chain, cleared when it returns
/// without translating (a dnat ends the chain).
inline constexpr unsigned kGatewayMark = 0x7e570001;

/// What one router's gateway daemon needs.
struct GatewayPlan {
    std::string router;
    std::string config_path;  ///< inside the run folder
    std::string config;       ///< miniupnpd.conf
    StartStep start;          ///< named `gateway-ROUTER`; ready when its last socket is bound
};

/// The table miniupnpd fills, with its chains hooked in.
std::string port_mapping_table();

/// The version byte of the requests to drop on the lans when only one of
/// NAT-PMP (version 0) and PCP (version 2) is on; nullopt when both are, or
/// neither (then UDP 5351 is closed anyway).
std::optional<int> refused_pcp_version(const PortMapping& pm);

/// One plan per router with `port-mapping:`, in the file's order (validated
/// topology: addresses assigned).
std::vector<GatewayPlan> plan_gateways(const Topology& topo);

}  // namespace testbed
