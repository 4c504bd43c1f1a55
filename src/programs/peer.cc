// peer: the client A/B of the seed lecture. This version has `peer probe`:
// this host's public (mapped) endpoint and, against a server with an
// alternate address, RFC 5780 discovery of the NAT's mapping, filtering,
// hairpinning and port assignment. Hole punching is issue 4's next step.

#include <fmt/core.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <nlohmann/json.hpp>

#include "core/duration.h"
#include "core/log.h"
#include "programs/probe.h"
#include "stun/stun.h"

namespace {

using namespace testbed;
using Clock = std::chrono::steady_clock;

int probe(const std::string& server_text, const std::string& timeout_text, uint16_t local_port) {
    auto server = stun::Endpoint::parse(server_text);
    auto timeout = parse_duration(timeout_text);
    if (!server || !timeout) {
        log::error("probe: --server expects ADDRESS:PORT and --timeout a duration like 3s");
        return 2;
    }
    programs::ProbeOptions options;
    options.server = *server;
    options.timeout = *timeout;
    options.local_port = local_port;
    const nlohmann::json out = programs::probe_nat(options);
    fmt::print("{}\n", out.dump());
    return out["result"] == "ok" ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"peer: NAT traversal client (the peers A and B of the seed lecture)"};
    app.require_subcommand(1);
    std::string server;
    std::string timeout = "3s";
    bool verbose = false;
    app.add_flag("-v,--verbose", verbose, "Debug logs");
    auto* probe_cmd = app.add_subcommand(
        "probe", "Learn this host's mapped endpoint and classify its NAT (RFC 5780)");
    probe_cmd->add_option("--server", server, "STUN server ADDRESS:PORT")->required();
    uint16_t local_port = 0;
    probe_cmd->add_option("--local-port", local_port, "Send from this UDP port (default: any)");
    probe_cmd->add_option("--timeout", timeout, "Give up after this long")->capture_default_str();
    CLI11_PARSE(app, argc, argv);
    log::set_level(verbose ? log::Level::debug : log::Level::info);
    try {
        if (*probe_cmd) return probe(server, timeout, local_port);
    } catch (const std::exception& e) {
        log::error("{}", e.what());
        return 1;
    }
    return 2;
}
