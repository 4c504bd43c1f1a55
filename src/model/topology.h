#pragma once
/// The description of a topology as plain data, the way a topology file says
/// it. Nothing here touches the kernel: the loader fills it, the validator
/// checks it and resolves `auto` addresses, the planner turns it into kernel
/// objects. See docs/topology.md for the file format.

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "base/duration.h"
#include "base/ipv4.h"
#include "model/diagnostics.h"
#include "model/link.h"
#include "model/nat.h"

namespace testbed {

/// One named IPv4 network (a veth pair or a bridge once built).
struct Network {
    std::string name;
    Subnet subnet;
    LinkSpec link;  ///< every member's link (`out` only: what each member sends)
    SourceLoc loc;
    bool valid = true;  ///< false when its subnet did not parse (already reported)
};

/// One address on a network: written, or `auto` until the validator picks one.
struct AddressSpec {
    std::optional<Ipv4> address;  ///< nullopt while still `auto`
    SourceLoc loc;
};

/// A node's presence on one network, with one or more addresses.
struct Attachment {
    std::string network;
    std::vector<AddressSpec> addresses;
    LinkSpec link;  ///< this node's link beyond the network's own conditions
    SourceLoc loc;
};

/// An end host: one namespace, one or more networks, a default route to the
/// router serving one of its networks (if any).
struct Host {
    std::string name;
    std::vector<Attachment> attachments;
    /// The network the default route goes through; empty: the first of its
    /// networks that a router serves. A `move` step changes it.
    std::string uplink;
    SourceLoc loc;
};

/// `port-mapping:` on a NAT router: the gateway protocols it answers (a real
/// miniupnpd in its namespace) and how it grants mappings.
struct PortMapping {
    bool upnp = false;     ///< UPnP IGD (SSDP discovery, SOAP over HTTP)
    bool nat_pmp = false;  ///< NAT-PMP (RFC 6886), UDP 5351
    bool pcp = false;      ///< PCP (RFC 6887), UDP 5351
    /// The longest lease a PCP client is granted (miniupnpd's max_lifetime).
    Duration lease_max = std::chrono::hours(24);
    /// A host may map ports only to itself; false lets one host map a port
    /// to another (the seed's "a trojan can attack a whole network").
    bool secure = true;
    /// The public address the gateway claims (default: its wan address): a
    /// wrong one makes a misbehaving gateway.
    std::optional<Ipv4> external_address;
    SourceLoc loc;
    SourceLoc external_loc;

    bool any() const { return upnp || nat_pmp || pcp; }
};

/// The field of a `ROUTER.port-mapping` matrix axis (MatrixAxis::field).
inline constexpr const char* kPortMappingField = "port-mapping";

/// The process name of a port-mapping router's daemon, for `expect:`.
inline std::string gateway_process(const std::string& router) {
    return "gateway-" + router;
}

/// A router: one upstream (`wan`) network, one or more downstream (`lan`)
/// networks, optionally translating (`nat`) or filtering (`firewall`).
struct Router {
    std::string name;
    Attachment wan;
    std::vector<Attachment> lans;
    std::optional<NatSpec> nat;
    std::optional<FirewallSpec> firewall;
    std::optional<PortMapping> port_mapping;
    /// BCP 38: drop what arrives on a lan with a source address that is not
    /// routed back through that lan (so a spoofer behind it fails).
    bool source_validation = false;
    SourceLoc loc;

    /// Whether the router translates addresses (a NAT whose mapping is not `none`).
    bool translates() const { return nat && nat->behaviour.translates(); }
};

/// What `ready` waits for after a process starts.
struct ReadySpec {
    enum class Kind { none, udp_port, tcp_port, stdout_regex, stderr_regex };
    Kind kind = Kind::none;
    int port = 0;
    std::string regex;
    Duration timeout = std::chrono::seconds(10);
};

/// `start`: launch `argv` in the namespace of `node`, known as `name`.
struct StartStep {
    std::string name;
    std::string node;
    std::vector<std::string> argv;
    std::map<std::string, std::string> env;
    ReadySpec ready;
    std::optional<size_t> output_limit;  ///< bytes kept of each of its streams (default 64 MiB)
    /// `drop-capabilities`: capability numbers (capability(7)) the program
    /// starts without, though run as root (e.g. CAP_NET_RAW: no raw sockets).
    std::vector<int> drop_capabilities;
};

/// The capabilities a start step may drop, by the name a topology gives
/// them ("net-raw"); nullopt for any other name.
std::optional<int> capability_named(std::string_view name);
/// "net-raw, net-admin, net-bind-service", for errors.
std::string capability_names();

/// `wait`: wait until every named process has exited, at most `timeout`.
struct WaitStep {
    std::vector<std::string> names;
    Duration timeout = std::chrono::seconds(30);
};

/// `sleep`: let time pass on purpose (e.g. to outlive a mapping timeout).
struct SleepStep {
    Duration duration{};
};

/// `link`: take a node's interface on a network down or up, or give a
/// network (every member's link) or one node's attachment new conditions
/// (`link: { loss: 30% }`), which replace what the file declared there.
struct LinkStep {
    std::string node;  ///< empty for a network's own conditions
    std::string network;
    bool up = false;
    std::optional<LinkSpec> conditions;  ///< set: a change of conditions, not down/up
    /// `for`: how long the change lasts; then what was before comes back.
    std::optional<Duration> lasts;
};

/// `set-nat`: give a router another NAT behaviour at run time. Existing
/// connections keep their translation, as on a real router reconfigured.
struct SetNatStep {
    std::string router;
    NatSpec nat;
};

/// `flush`: a router forgets every mapping (conntrack entries and the NAT
/// engine's tables), as after a reboot.
struct FlushStep {
    std::string router;
};

/// `renumber`: a node's address on one of its networks becomes another,
/// as a DHCP server renumbering a host or an ISP reassigning a NAT's
/// public address would do. Programs bound to the old address lose it; a
/// NAT's rules follow its new address and its mappings are gone.
struct RenumberStep {
    std::string node;
    std::string network;  ///< empty in the file when the node has one network
    AddressSpec to;       ///< `auto` until the validator picks a free address
};

/// `move`: a host leaves the network its default route goes through (the
/// link goes down) for another of its networks (the link comes up, the
/// default route goes through that network's router): Wi-Fi to cellular.
struct MoveStep {
    std::string host;
    std::string to;
};

struct Step {
    std::variant<StartStep, WaitStep, SleepStep, LinkStep, SetNatStep, FlushStep, RenumberStep,
                 MoveStep>
        action;
    SourceLoc loc;
};

/// A regular expression some line of a process's stdout or stderr must
/// match (`stdout:`, `stderr:`), or no line may match (`stdout-lacks:`,
/// `stderr-lacks:`).
struct OutputPattern {
    bool on_stderr = false;
    bool absent = false;
    std::string regex;
    SourceLoc loc;
    /// The key it was written with: "stdout", "stderr-lacks", ...
    std::string key() const {
        return std::string(on_stderr ? "stderr" : "stdout") + (absent ? "-lacks" : "");
    }
};

/// What one process must have done by the end of the run.
struct Expectation {
    std::string process;
    std::optional<int> exit_code;
    /// `exit: ${var}` as written; expansion sets exit_code from it in each
    /// matrix cell (the validator names a cell where it is not a code).
    std::optional<std::string> exit_template;
    nlohmann::json json = nlohmann::json::object();  ///< fields of the last JSON object on stdout
    /// JSON pointers into `json` of plain `${var}` values: a matrix cell's
    /// value there is read as a plain scalar (`true` a boolean, `3` a number).
    std::vector<std::string> typed_json;
    /// `json-range`: fields of the same object that must be numbers within
    /// bounds, as {"field": [min, max]} (nested maps name nested fields).
    nlohmann::json json_range = nlohmann::json::object();
    std::vector<OutputPattern> output;
    SourceLoc loc;
};

/// How two hosts exchanged packets, as `traffic:` names it.
inline constexpr const char* kTrafficPaths[] = {"direct", "relay", "none"};
/// True for "direct", "relay" and "none".
bool is_traffic_path(const std::string& via);
/// At most this many hosts in a topology with `traffic:` checks: each
/// host's packets carry its number in their DSCP field (6 bits, 0 unused).
inline constexpr size_t kMaxTrafficHosts = 63;
/// Relay evidence keeps the payload heads of at most this many packets
/// each host receives from each other host (the counts stay exact), so a
/// `via: relay` check asks for at most this many relayed packets.
inline constexpr int kMaxRelayEvidence = 4096;

/// A verdict from the traffic itself (`traffic:`), whatever the programs
/// print: did `a` and `b` exchange packets directly, only through a third
/// host, or not at all.
struct TrafficCheck {
    std::string a;
    std::string b;
    /// "direct", "relay" or "none"; `${var}` as written until expansion.
    std::string via;
    int min_packets = 1;  ///< each way
    SourceLoc loc;
};

/// One axis of a `matrix:`: a router's NAT behaviour (`ROUTER.nat`) or a
/// variable, used as ${name} in commands and expectations.
struct MatrixAxis {
    std::string key;     ///< as written: "nat-a.nat", "nat.nat.mapping", "transport"
    std::string router;  ///< for ROUTER.nat and ROUTER.nat.FIELD axes ("a+b": both routers)
    std::string field;   ///< "mapping", "filtering" (ROUTER.nat.FIELD) or "port-mapping"
    std::vector<std::string> labels;    ///< each value as printed in reports
    std::vector<NatSpec> nats;          ///< for ROUTER.nat axes, one per label
    std::vector<Behaviour> behaviours;  ///< for ROUTER.nat.FIELD axes, one per label
    /// For ROUTER.port-mapping axes, one per label (nullopt: `none`).
    std::vector<std::optional<PortMapping>> port_mappings;
    SourceLoc loc;
};

/// The routers an axis sets: its `router` split at '+' (`nat-a+nat-b.nat`
/// gives both routers the same value in every cell).
std::vector<std::string> axis_routers(const MatrixAxis& axis);

/// A variable whose value depends on one axis (rows), two (rows, columns)
/// or any number (keys), from an inline table or a CSV file: the expected
/// outcome of each cell.
struct MatrixTable {
    std::string name;
    std::vector<std::string> axes;                           ///< the keys of the axes it depends on
    std::map<std::vector<std::string>, std::string> values;  ///< those axes' labels -> value
    /// Keyed tables: why a line expects its value (the line's cells past
    /// the value), where it says.
    std::map<std::vector<std::string>, std::string> reasons;
    SourceLoc loc;
};

/// `matrix:`: the file is the template of one scenario per combination of
/// the axes' values.
struct Matrix {
    std::vector<MatrixAxis> axes;
    std::vector<MatrixTable> tables;
    SourceLoc loc;
};

/// `files:`: a file written into the run's own folder before any step
/// starts, so a program's configuration is part of the topology file.
struct FileSpec {
    std::string path;     ///< relative to the run folder; no "..", no leading "/"
    std::string content;  ///< ${var}s are filled in (matrix cell, addresses, run_dir)
    unsigned mode = 0600;
    SourceLoc loc;
};

/// The run folder's subfolder where the testbed writes the configuration
/// of each port-mapping router's gateway daemon (GATEWAY/ROUTER.conf):
/// `files:` may not write there.
inline constexpr const char* kGatewayConfigFolder = "gateway";

/// A whole topology file.
struct Topology {
    std::string file;  ///< path it was loaded from, for messages
    std::string name;
    std::string description;
    std::vector<Network> networks;
    std::vector<Host> hosts;
    std::vector<Router> routers;
    std::vector<Step> steps;
    std::vector<Expectation> expectations;
    std::vector<TrafficCheck> traffic;
    std::vector<FileSpec> files;
    std::optional<Matrix> matrix;  ///< the template's axes; empty in an expanded cell
    /// In a scenario expanded from a matrix: the file's own name and the
    /// cell's value on each axis, in axis order.
    std::string matrix_name;
    std::vector<std::pair<std::string, std::string>> cell;
    std::string outcome;         ///< the cell's table values (its expected outcome), for reports
    std::string outcome_reason;  ///< why the tables expect it, where they say; for reports

    const Network* find_network(const std::string& name) const;
    const Host* find_host(const std::string& name) const;
    const Router* find_router(const std::string& name) const;
    /// True when `name` is a host or a router.
    bool has_node(const std::string& name) const;
    /// The router whose `lan` includes `network`, or nullptr.
    const Router* router_serving(const std::string& network) const;
    /// The attachment of a host or router to `network`, or nullptr.
    const Attachment* attachment_of(const std::string& node, const std::string& network) const;
    Attachment* attachment_of(const std::string& node, const std::string& network);
    /// The network a host's default route goes through (Host::uplink, or
    /// the first of its networks a router serves); empty when none.
    std::string uplink_of(const Host& host) const;
    /// Every attachment to `network` of a node other than `except` (for a
    /// router's lan: who is inside it), hosts first, in file order.
    std::vector<const Attachment*> attachments_on(const std::string& network,
                                                  const std::string& except = {}) const;
};

/// The address variables of a topology, for ${...} in commands, env and
/// files: `NODE.NETWORK` (the node's first address on that network) and
/// `ROUTER.wan` (a router's address on its wan: its public one). Values
/// are empty until validation assigned every `auto`.
std::map<std::string, std::string> address_variables(const Topology& topo);

/// Every node's name with one address, as a hosts file names them: a host's
/// first address on its first network, a router's on its wan. Nodes whose
/// address is not assigned yet are left out.
std::vector<std::pair<std::string, std::string>> node_addresses(const Topology& topo);

}  // namespace testbed
