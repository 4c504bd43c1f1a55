#pragma once
/// The loader's section readers, one file each (nodes.cc, nat.cc, port_mapping.cc, steps.cc,
/// expect.cc, traffic.cc, matrix.cc, variables.cc), composed by loader.cc. Internal to
/// load/: each reads its part of the tree into the Topology and reports
/// into the reader's Diagnostics.

#include <yaml-cpp/yaml.h>

#include <array>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "load/yaml_reader.h"
#include "model/topology.h"

namespace testbed::sections {

/// Host and router names seen so far (they share one set), where first.
using NodeNames = std::map<std::string, SourceLoc>;

void read_networks(YamlReader& r, const YAML::Node& node, Topology& topo);
/// A network written as a map (`{ subnet: ..., delay: 20ms, mtu: 1400 }`):
/// its link conditions (link.cc); the caller reads `subnet`.
LinkSpec read_network_link(YamlReader& r, const YAML::Node& map, const std::string& what);
/// An attachment written as a map (`{ address: auto, loss: 1%, in: {...},
/// out: {...} }`): its link conditions; the caller reads `address`.
LinkSpec read_attachment_link(YamlReader& r, const YAML::Node& map, const std::string& what);
/// The conditions a `link` step sets: a network's (`attachment` false) or
/// one node's attachment's, with the keys of those maps but subnet and address.
LinkSpec read_link_change(YamlReader& r, const YAML::Node& map, const std::string& what,
                          bool attachment);
/// An address or `auto` (nodes.cc).
std::optional<AddressSpec> read_address(YamlReader& r, const YAML::Node& node,
                                        const std::string& what);
void read_hosts(YamlReader& r, NodeNames& names, const YAML::Node& node, Topology& topo);
void read_routers(YamlReader& r, NodeNames& names, const YAML::Node& node, Topology& topo);
/// `nat:` as a preset name or a behaviour map; `router` names the owner in messages.
std::optional<NatSpec> read_nat(YamlReader& r, const YAML::Node& node, const std::string& router);
std::optional<FirewallSpec> read_firewall(YamlReader& r, const YAML::Node& node,
                                          const std::string& router);
/// The protocol keys of `port-mapping:`, in the order labels list them.
inline constexpr std::array<const char*, 3> kPortMappingProtocols{"upnp", "nat-pmp", "pcp"};
/// The flag of the protocol `name` names in `pm`; null for another word.
bool* protocol_flag(PortMapping& pm, std::string_view name);
/// `port-mapping:` of a router; `router` names the owner in messages.
std::optional<PortMapping> read_port_mapping(YamlReader& r, const YAML::Node& node,
                                             const std::string& router);
void read_steps(YamlReader& r, const YAML::Node& node, Topology& topo);
/// A regular expression that must compile (with ${name}s filled in as "x").
void check_regex(YamlReader& r, const YAML::Node& node, const std::string& regex,
                 const std::string& what);
void read_expectations(YamlReader& r, const YAML::Node& node, Topology& topo);
/// `traffic:` (after the hosts: its checks name them).
void read_traffic(YamlReader& r, const YAML::Node& node, Topology& topo);
void read_matrix(YamlReader& r, const YAML::Node& node, Topology& topo);
void read_files(YamlReader& r, const YAML::Node& node, Topology& topo);
/// Every ${name} names what can fill it: in a command, an env value or a
/// file, a matrix axis or table, an address (NODE.NETWORK, ROUTER.wan) or
/// run_dir; in an expectation, a matrix axis or table.
void check_variables(YamlReader& r, const Topology& topo);

/// A scenario's text with every ${name} at its longest value: at most this.
inline constexpr size_t kMaxCellText = size_t{8} << 20;
/// All the matrix's scenarios' text together: at most this.
inline constexpr size_t kMaxMatrixText = size_t{64} << 20;
/// Steps, expectations and traffic checks of all the scenarios together.
inline constexpr size_t kMaxMatrixItems = 200'000;
/// What the matrix makes of the file stays within the bounds above, so the
/// memory a file takes is proportional to it (error at the line that
/// crosses a bound). False when one is crossed.
bool check_expansion_bounds(YamlReader& r, const Topology& topo);

}  // namespace testbed::sections
