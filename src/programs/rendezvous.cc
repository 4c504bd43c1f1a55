// rendezvous: the server S of the seed lecture. This version answers STUN
// Binding requests over UDP (RFC 8489: XOR-MAPPED-ADDRESS, and MAPPED-ADDRESS
// for RFC 3489 clients). With --alt it serves from two addresses and two
// ports and supports RFC 5780 behaviour discovery (CHANGE-REQUEST,
// OTHER-ADDRESS, RESPONSE-ORIGIN). Registration, introduction, reversal and
// relay are issue 4's next steps.

#include <fmt/core.h>
#include <poll.h>
#include <signal.h>

#include <CLI/CLI.hpp>
#include <atomic>
#include <chrono>
#include <memory>

#include "core/log.h"
#include "programs/udp.h"
#include "stun/stun.h"

namespace {

using namespace testbed;

std::atomic<bool> g_stop{false};

void on_signal(int) {
    g_stop = true;
}

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

/// The sockets of the server: [0] is the primary address and port. With an
/// alternate address there are four: index bit 0 = alternate port, bit 1 =
/// alternate address (RFC 5780 §4.1).
class Server {
  public:
    Server(const stun::Endpoint& primary, std::optional<stun::Endpoint> alternate)
        : alternate_(alternate) {
        sockets_.push_back(std::make_unique<programs::UdpSocket>(primary));
        if (!alternate_) return;
        const stun::Endpoint& alt = *alternate_;
        sockets_.push_back(
            std::make_unique<programs::UdpSocket>(stun::Endpoint{primary.ip, alt.port}));
        sockets_.push_back(
            std::make_unique<programs::UdpSocket>(stun::Endpoint{alt.ip, primary.port}));
        sockets_.push_back(std::make_unique<programs::UdpSocket>(alt));
    }

    void serve() {
        for (const auto& s : sockets_)
            log::info("rendezvous: listening on udp {}", s->local().str());
        std::vector<pollfd> fds;
        for (const auto& s : sockets_) fds.push_back({s->fd(), POLLIN, 0});
        while (!g_stop) {
            if (::poll(fds.data(), fds.size(), 200) <= 0) continue;
            for (size_t i = 0; i < fds.size(); ++i) {
                if (fds[i].revents & POLLIN) receive(i);
            }
        }
        log::info("rendezvous: stopping after {} binding answers", answered_);
    }

  private:
    std::optional<stun::Endpoint> alternate_;
    std::vector<std::unique_ptr<programs::UdpSocket>> sockets_;
    RejectLog rejects_;
    uint64_t answered_ = 0;

    void receive(size_t index) {
        auto datagram = sockets_[index]->receive(std::chrono::milliseconds(0));
        if (!datagram) return;
        auto decoded = stun::decode(datagram->bytes);
        if (auto* why = std::get_if<std::string>(&decoded)) {
            rejects_.add(datagram->from, *why);
            return;
        }
        const auto& message = std::get<stun::Message>(decoded);
        if (message.method != stun::method::binding || message.cls != stun::Class::request) return;
        answer(index, message, datagram->from);
    }

    void answer(size_t index, const stun::Message& request, const stun::Endpoint& from) {
        stun::Message reply;
        reply.transaction = request.transaction;
        const auto change = request.change_request();
        if (request.find(stun::attr::change_request) && (!alternate_ || !change)) {
            // RFC 5780 §6.1: without an alternate address CHANGE-REQUEST is an
            // unknown comprehension-required attribute.
            reply.cls = stun::Class::error;
            reply.add_error(420, "Unknown Attribute");
            reply.add(stun::attr::unknown_attributes, {0x00, 0x03});
            sockets_[index]->send_to(from, stun::encode(reply));
            return;
        }
        size_t out = index;
        if (change && change->port) out ^= 1;
        if (change && change->ip) out ^= 2;
        reply.cls = stun::Class::success;
        reply.add_xor_address(stun::attr::xor_mapped_address, from);
        reply.add_address(stun::attr::mapped_address, from);
        if (alternate_) {
            // OTHER-ADDRESS names the alternate address and port (A2:P2) on
            // every socket but that one, as coturn's turnserver does: coturn's
            // natdiscovery takes test III's target from test II's answer.
            // RFC 5780 clients use test I's answer, where both readings agree.
            reply.add_address(stun::attr::other_address, sockets_[index == 3 ? 0 : 3]->local());
            reply.add_address(stun::attr::response_origin, sockets_[out]->local());
        }
        reply.add_software("testbed rendezvous");
        sockets_[out]->send_to(from, stun::encode(reply));
        ++answered_;
        log::debug("binding from {} on {}, answered from {}", from.str(),
                   sockets_[index]->local().str(), sockets_[out]->local().str());
    }
};

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"rendezvous: STUN server (the rendezvous server S of the seed lecture)"};
    std::string listen = "0.0.0.0:3478";
    std::string alt;
    bool verbose = false;
    app.add_option("--listen", listen, "UDP address:port to serve on")->capture_default_str();
    app.add_option(
        "--alt", alt,
        "Alternate ADDRESS[:PORT] for RFC 5780 discovery (default port: the listen port + 1); "
        "--listen must then name a specific address");
    app.add_flag("-v,--verbose", verbose, "Log every request");
    CLI11_PARSE(app, argc, argv);
    log::set_level(verbose ? log::Level::debug : log::Level::info);
    auto primary = stun::Endpoint::parse(listen);
    if (!primary) {
        log::error("--listen '{}': expected ADDRESS:PORT like 0.0.0.0:3478", listen);
        return 2;
    }
    std::optional<stun::Endpoint> alternate;
    if (!alt.empty()) {
        alternate = stun::Endpoint::parse(alt.find(':') == std::string::npos
                                              ? fmt::format("{}:{}", alt, primary->port + 1)
                                              : alt);
        if (!alternate || primary->ip.value == 0 || alternate->ip == primary->ip ||
            alternate->port == primary->port) {
            log::error(
                "--alt '{}': expected a second address (and port) different from --listen {}, "
                "which must name a specific address",
                alt, listen);
            return 2;
        }
    }
    struct sigaction sa {};
    sa.sa_handler = on_signal;
    sigaction(SIGTERM, &sa, nullptr);
    sigaction(SIGINT, &sa, nullptr);
    try {
        Server(*primary, alternate).serve();
        return 0;
    } catch (const std::exception& e) {
        log::error("{}", e.what());
        return 1;
    }
}
