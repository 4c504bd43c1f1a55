// rendezvous: the server S of the seed lecture. This version answers STUN
// Binding requests over UDP (RFC 8489, XOR-MAPPED-ADDRESS and MAPPED-ADDRESS),
// so peers and standard STUN clients learn their public endpoint.
// Registration, introduction, reversal and relay are issue 4's next steps.

#include <fmt/core.h>
#include <signal.h>

#include <CLI/CLI.hpp>
#include <atomic>
#include <chrono>

#include "core/log.h"
#include "programs/udp.h"
#include "stun/stun.h"

namespace {

std::atomic<bool> g_stop{false};

void on_signal(int) {
    g_stop = true;
}

using namespace testbed;

/// Logs malformed input at most once a second, with a count, so a flood of
/// garbage cannot flood the log either.
class RejectLog {
  public:
    void add(const stun::Endpoint& from, const std::string& why) {
        ++count_;
        const auto now = std::chrono::steady_clock::now();
        if (now - last_ < std::chrono::seconds(1)) return;
        log::warning("rejected {} malformed message(s); last from {}: {}", count_, from.str(), why);
        count_ = 0;
        last_ = now;
    }

  private:
    uint64_t count_ = 0;
    std::chrono::steady_clock::time_point last_{};
};

std::vector<uint8_t> binding_success(const stun::Message& request, const stun::Endpoint& from) {
    stun::Message reply;
    reply.method = stun::method::binding;
    reply.cls = stun::Class::success;
    reply.transaction = request.transaction;
    reply.add_xor_address(stun::attr::xor_mapped_address, from);
    reply.add_address(stun::attr::mapped_address, from);  // for RFC 3489 clients
    reply.add_software("testbed rendezvous");
    return stun::encode(reply);
}

int serve(const stun::Endpoint& listen) {
    programs::UdpSocket socket(listen);
    log::info("rendezvous: listening on udp {}", socket.local().str());
    RejectLog rejects;
    uint64_t answered = 0;
    while (!g_stop) {
        auto datagram = socket.receive(std::chrono::milliseconds(200));
        if (!datagram) continue;
        auto decoded = stun::decode(datagram->bytes);
        if (auto* why = std::get_if<std::string>(&decoded)) {
            rejects.add(datagram->from, *why);
            continue;
        }
        const auto& message = std::get<stun::Message>(decoded);
        if (message.method == stun::method::binding && message.cls == stun::Class::request) {
            socket.send_to(datagram->from, binding_success(message, datagram->from));
            ++answered;
            log::debug("binding from {}", datagram->from.str());
        }
    }
    log::info("rendezvous: stopping after {} binding answers", answered);
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"rendezvous: STUN Binding server (the rendezvous server S of the seed lecture)"};
    std::string listen = "0.0.0.0:3478";
    bool verbose = false;
    app.add_option("--listen", listen, "UDP address:port to serve on")->capture_default_str();
    app.add_flag("-v,--verbose", verbose, "Log every request");
    CLI11_PARSE(app, argc, argv);
    log::set_level(verbose ? log::Level::debug : log::Level::info);
    auto endpoint = stun::Endpoint::parse(listen);
    if (!endpoint) {
        log::error("--listen '{}': expected ADDRESS:PORT like 0.0.0.0:3478", listen);
        return 2;
    }
    struct sigaction sa {};
    sa.sa_handler = on_signal;
    sigaction(SIGTERM, &sa, nullptr);
    sigaction(SIGINT, &sa, nullptr);
    try {
        return serve(*endpoint);
    } catch (const std::exception& e) {
        log::error("{}", e.what());
        return 1;
    }
}
