// peer: the client A/B of the seed lecture. This version has `peer probe`,
// which asks a STUN server for this host's public (mapped) endpoint and
// says whether it is translated. Hole punching itself is issue 4's next step.

#include <fmt/core.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <nlohmann/json.hpp>

#include "core/duration.h"
#include "core/log.h"
#include "programs/udp.h"
#include "stun/stun.h"

namespace {

using namespace testbed;
using Clock = std::chrono::steady_clock;

/// Sends Binding requests, retransmitting every `interval`, until an answer
/// with the same transaction id comes or `timeout` passes.
std::optional<stun::Message> binding(programs::UdpSocket& socket, const stun::Endpoint& server,
                                     Duration timeout, double& rtt_ms) {
    stun::Message request;
    request.transaction = stun::new_transaction_id();
    const auto bytes = stun::encode(request);
    const auto interval = std::chrono::milliseconds(100);
    const auto deadline = Clock::now() + timeout;
    while (Clock::now() < deadline) {
        const auto sent = Clock::now();
        socket.send_to(server, bytes);
        while (Clock::now() - sent < interval) {
            auto d = socket.receive(std::chrono::duration_cast<std::chrono::milliseconds>(
                interval - (Clock::now() - sent)));
            if (!d) break;
            auto decoded = stun::decode(d->bytes);
            auto* m = std::get_if<stun::Message>(&decoded);
            if (m && m->transaction == request.transaction && m->cls == stun::Class::success) {
                rtt_ms = std::chrono::duration<double, std::milli>(Clock::now() - sent).count();
                return *m;
            }
        }
    }
    return std::nullopt;
}

int probe(const std::string& server_text, const std::string& timeout_text) {
    auto server = stun::Endpoint::parse(server_text);
    auto timeout = parse_duration(timeout_text);
    if (!server || !timeout) {
        log::error("probe: --server expects ADDRESS:PORT and --timeout a duration like 3s");
        return 2;
    }
    programs::UdpSocket socket({Ipv4{0}, 0});
    const stun::Endpoint local{programs::route_source(*server).ip, socket.local().port};
    double rtt_ms = 0;
    auto answer = binding(socket, *server, *timeout, rtt_ms);
    nlohmann::json out = {{"server", server->str()}, {"local", local.str()}};
    if (!answer || !answer->mapped()) {
        out["result"] = "failed";
        out["error"] = fmt::format("no STUN answer from {} within {}", server->str(), timeout_text);
        fmt::print("{}\n", out.dump());
        return 1;
    }
    out["result"] = "ok";
    out["mapped"] = answer->mapped()->str();
    out["translated"] = !(*answer->mapped() == local);
    out["rtt_ms"] = std::round(rtt_ms * 100) / 100;
    fmt::print("{}\n", out.dump());
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"peer: NAT traversal client (the peers A and B of the seed lecture)"};
    app.require_subcommand(1);
    std::string server;
    std::string timeout = "3s";
    bool verbose = false;
    app.add_flag("-v,--verbose", verbose, "Debug logs");
    auto* probe_cmd =
        app.add_subcommand("probe", "Ask a STUN server for this host's mapped (public) endpoint");
    probe_cmd->add_option("--server", server, "STUN server ADDRESS:PORT")->required();
    probe_cmd->add_option("--timeout", timeout, "Give up after this long")->capture_default_str();
    CLI11_PARSE(app, argc, argv);
    log::set_level(verbose ? log::Level::debug : log::Level::info);
    try {
        if (*probe_cmd) return probe(server, timeout);
    } catch (const std::exception& e) {
        log::error("{}", e.what());
        return 1;
    }
    return 2;
}
