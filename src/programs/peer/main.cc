// peer: the clients A and B of the seed lecture.
//   peer --server S --id ME --connect OTHER --transport udp|tcp ...
//     hole punching through the rendezvous server (connect.h);
//   peer probe --server S
//     this host's mapped endpoint and, against a server with an alternate
//     address, RFC 5780 discovery of the NAT's behaviour (probe.h).
// The last stdout line is one JSON object; logs go to stderr.

#include <fmt/core.h>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "base/duration.h"
#include "base/error.h"
#include "base/log.h"
#include "programs/peer/connect.h"
#include "programs/peer/probe.h"
#include "programs/portmap/mapper.h"
#include "punch/protocol.h"
#include "stun/stun.h"

namespace {

/// The output contract's JSON line. Text from the other peer (its payload)
/// may be any bytes: invalid UTF-8 becomes U+FFFD rather than an exception.
void print_json(const nlohmann::json& out) {
    fmt::print("{}\n", out.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

using namespace testbed;

constexpr int kUsage = 2;

struct Arguments {
    std::string server;
    std::string timeout = "10s";
    std::string punch_timeout = "2s";
    std::string hold = "0s";
    std::string keepalive = "1s";
    std::string transport = "udp";
    std::string probe_timeout = "3s";
    uint16_t local_port = 0;
    std::string port_mapping = "off";
    std::string probe_port_mapping = "auto";
    std::string technique = "p2pnat";
    int ttl = 0;  ///< 0: not given
};

/// `--port-mapping MODE` as the protocols to ask, or a usage error.
std::optional<std::vector<programs::portmap::Protocol>> port_mapping_option(
    const std::string& mode) {
    auto protocols = programs::portmap::protocols_for(mode);
    if (!protocols)
        log::error("--port-mapping '{}': expected auto, upnp, nat-pmp, pcp or off", mode);
    return protocols;
}

int usage(const std::string& why) {
    log::error("{}", why);
    return kUsage;
}

int probe(const Arguments& a) {
    auto server = stun::Endpoint::parse(a.server);
    auto timeout = parse_duration(a.probe_timeout);
    if (!server || !timeout)
        return usage("probe: --server expects ADDRESS:PORT and --timeout a duration like 3s");
    programs::ProbeOptions options;
    options.server = *server;
    options.timeout = *timeout;
    options.local_port = a.local_port;
    auto port_mapping = port_mapping_option(a.probe_port_mapping);
    if (!port_mapping) return kUsage;
    options.port_mapping = *port_mapping;
    const nlohmann::json out = programs::probe_nat(options);
    print_json(out);
    return out["result"] == "ok" ? 0 : 1;
}

/// A duration option, or a usage error naming it.
std::optional<Duration> duration_option(const std::string& name, const std::string& text) {
    auto d = parse_duration(text);
    if (!d) log::error("{} '{}': expected a duration like 2s or 500ms", name, text);
    return d;
}

/// `--technique` and `--ttl`, checked against the transport; a usage error text.
std::optional<std::string> technique_options(const Arguments& a, programs::ConnectOptions& o) {
    auto technique = punch::technique_named(a.technique);
    if (!technique)
        return fmt::format("--technique '{}': expected one of {}", a.technique,
                           punch::technique_names());
    o.technique = *technique;
    if (o.technique != punch::Technique::p2pnat && !o.tcp)
        return fmt::format("--technique {} is a TCP technique: add --transport tcp", a.technique);
    if (o.technique != punch::Technique::p2pnat && o.predict)
        return fmt::format("--predict goes with --technique p2pnat only, not {}", a.technique);
    if (a.ttl == 0) return std::nullopt;
    if (!punch::traits(o.technique).small_ttl)
        return fmt::format("--ttl: --technique {} sends no small-TTL SYN", a.technique);
    if (a.ttl < 1 || a.ttl > 255) return fmt::format("--ttl {}: expected 1 to 255", a.ttl);
    o.ttl = a.ttl;
    return std::nullopt;
}

int connect(const Arguments& a, programs::ConnectOptions o) {
    auto server = stun::Endpoint::parse(a.server);
    if (!server) return usage(fmt::format("--server '{}': expected ADDRESS:PORT", a.server));
    o.server = *server;
    if (!punch::valid_peer_id(o.id) || !punch::valid_peer_id(o.target))
        return usage("--id and --connect: 1 to 64 of the characters A-Z a-z 0-9 . _ -");
    if (o.id == o.target) return usage("--connect names this peer's own --id");
    if (a.transport != "udp" && a.transport != "tcp")
        return usage(fmt::format("--transport '{}': expected udp or tcp", a.transport));
    o.tcp = a.transport == "tcp";
    if (auto why = technique_options(a, o)) return usage(*why);
    auto timeout = duration_option("--timeout", a.timeout);
    auto punch_timeout = duration_option("--punch-timeout", a.punch_timeout);
    auto hold = duration_option("--hold", a.hold);
    auto keepalive = duration_option("--keepalive", a.keepalive);
    auto port_mapping = port_mapping_option(a.port_mapping);
    if (!timeout || !punch_timeout || !hold || !keepalive || !port_mapping) return kUsage;
    o.port_mapping = *port_mapping;
    o.timeout = *timeout;
    o.punch_timeout = *punch_timeout;
    o.hold = *hold;
    o.keepalive = *keepalive;
    o.local_port = a.local_port;
    const nlohmann::json out = o.tcp ? programs::connect_tcp(o) : programs::connect_udp(o);
    print_json(out);
    return out["result"] == "failed" ? 1 : 0;
}

}  // namespace

namespace {
int run(int argc, char** argv) {
    CLI::App app{
        "peer: NAT traversal client (the peers A and B of the seed lecture)\n"
        "  peer --server HOST:PORT --id NAME --connect OTHER --transport udp|tcp [options]\n"
        "  peer probe --server HOST:PORT"};
    app.require_subcommand(0, 1);
    Arguments a;
    programs::ConnectOptions o;
    bool verbose = false;
    bool no_private = false;
    bool no_relay = false;
    bool no_migrate = false;
    app.add_flag("-v,--verbose", verbose, "Debug logs");
    app.add_option("--server", a.server, "The rendezvous server, ADDRESS:PORT");
    app.add_option("--id", o.id, "This peer's id at the server");
    app.add_option("--connect", o.target, "The id of the peer to connect to");
    app.add_option("--transport", a.transport, "udp or tcp")->capture_default_str();
    app.add_flag("--no-private", no_private, "Do not try the other peer's private endpoints");
    app.add_flag("--no-relay", no_relay, "Do not fall back to the server's relay");
    app.add_flag("--predict", o.predict,
                 "Predict the ports of sequential symmetric NATs (UDP): measure this NAT's step "
                 "and try the other's next ports");
    app.add_option("--timeout", a.timeout, "Give up after this long")->capture_default_str();
    app.add_option("--punch-timeout", a.punch_timeout,
                   "Try direct paths alone this long, then the relay as well")
        ->capture_default_str();
    app.add_option("--hold", a.hold,
                   "After connecting, keep the path this long, then check it still carries data")
        ->capture_default_str();
    app.add_option("--keepalive", a.keepalive, "Keepalive interval during --hold (0s: none)")
        ->capture_default_str();
    app.add_flag("--no-migrate", no_migrate,
                 "During --hold, give up a path that went silent instead of registering again "
                 "and punching anew (UDP)");
    app.add_option("--local-port", a.local_port, "Use this local port (default: any)");
    app.add_option("--technique", a.technique,
                   "TCP traversal: " + punch::technique_names() + " (docs/punching.md)")
        ->capture_default_str();
    app.add_option("--ttl", a.ttl,
                   "The small-TTL SYN's TTL (default: the measured hop count to our public "
                   "address + 1)");
    app.add_option("--port-mapping", a.port_mapping,
                   "Ask the gateway to map the punching port and offer the mapping as a "
                   "candidate: auto (PCP, NAT-PMP, UPnP, whichever answers), upnp, nat-pmp, pcp "
                   "or off")
        ->capture_default_str();
    auto* probe_cmd = app.add_subcommand(
        "probe", "Learn this host's mapped endpoint and classify its NAT (RFC 5780)");
    probe_cmd->add_option("--server", a.server, "STUN server ADDRESS:PORT")->required();
    probe_cmd->add_option("--local-port", a.local_port, "Send from this UDP port (default: any)");
    probe_cmd->add_option("--timeout", a.probe_timeout, "Give up after this long")
        ->capture_default_str();
    probe_cmd
        ->add_option("--port-mapping", a.probe_port_mapping,
                     "Ask the gateway which of these port-mapping protocols it speaks and the "
                     "external address each claims: auto (all three), upnp, nat-pmp, pcp or off")
        ->capture_default_str();
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        const int code = app.exit(e);
        return code == 0 ? 0 : kUsage;
    }
    log::set_level(verbose ? log::Level::debug : log::Level::info);
    o.use_private = !no_private;
    o.relay = !no_relay;
    o.migrate = !no_migrate;
    try {
        if (*probe_cmd) return probe(a);
        if (a.server.empty() || o.id.empty() || o.target.empty())
            return usage(
                "expected --server, --id and --connect (or the probe subcommand); see --help");
        return connect(a, o);
    } catch (const std::exception& e) {
        log::error("{}", e.what());
        print_json(programs::failed(o, e.what()));
        return 1;
    }
}
}  // namespace

int main(int argc, char** argv) {
    return testbed::guarded_main("peer", argc, argv, run);
}
