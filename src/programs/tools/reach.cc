// testbed-reach: is a port reachable through a NAT? For the port-mapping
// tests (topologies/port-mapping/), where a host asks its gateway for a
// mapping with a third-party client and an outside host tries the public
// side.
//
//   testbed-reach listen udp|tcp PORT [--timeout 8s] [--first-to ADDRESS:PORT]
//       waits for one datagram or connection on PORT (UDP: after sending one
//       datagram from PORT to --first-to, which opens a mapping); prints
//       "reached from ADDRESS" and exits 0, or "not reached" and exits 1.
//       --learn-from STUN_ADDRESS:PORT (UDP) first asks a STUN server, from
//       a socket of its own, which public address this host has, and prints
//       "learned ADDRESS:PORT": what a program does that learns its address
//       on one socket and tells its friends to reach PORT at it (wrong
//       behind a NAT that pools addresses arbitrarily, RFC 4787 REQ-2).
//   testbed-reach send udp|tcp ADDRESS:PORT [--for 5s]
//       UDP: a datagram every 200 ms; TCP: a connect every 200 ms until one
//       succeeds. Prints "connected" (TCP) and exits 0, or exits 1.

#include <fmt/core.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <array>
#include <chrono>
#include <cstdio>
#include <optional>
#include <thread>

#include "base/duration.h"
#include "base/error.h"
#include "programs/net/stun_client.h"
#include "programs/net/tcp.h"
#include "programs/net/udp.h"

namespace {

using namespace testbed;
using Clock = std::chrono::steady_clock;
constexpr auto kInterval = std::chrono::milliseconds(200);
constexpr std::array<uint8_t, 5> kHello{'h', 'e', 'l', 'l', 'o'};

/// Prints the endpoint a STUN server sees for a fresh socket of this host.
void learn_public_address(const stun::Endpoint& server) {
    programs::UdpSocket socket(stun::Endpoint{Ipv4{0}, 0});
    const auto mapped = programs::binding(socket, server, std::chrono::seconds(3));
    if (!mapped) throw Error(fmt::format("--learn-from {}: no STUN answer", server.str()));
    fmt::print("learned {}\n", mapped->str());
    (void)std::fflush(stdout);  // a readiness line: the scenario waits for it
}

int listen_udp(uint16_t port, std::chrono::milliseconds timeout,
               const std::optional<stun::Endpoint>& first_to) {
    programs::UdpSocket socket(stun::Endpoint{Ipv4{0}, port});
    if (first_to) socket.send_to(*first_to, kHello);
    const auto got = socket.receive(timeout);
    if (!got) {
        fmt::print("not reached\n");
        return 1;
    }
    fmt::print("reached from {}\n", got->from.ip.str());
    return 0;
}

int listen_tcp(uint16_t port, std::chrono::milliseconds timeout) {
    const Fd listener = programs::tcp_listen(stun::Endpoint{Ipv4{0}, port});
    pollfd p{listener.get(), POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(timeout.count())) != 1) {
        fmt::print("not reached\n");
        return 1;
    }
    const Fd conn(::accept(listener.get(), nullptr, nullptr));
    if (!conn.valid()) throw_errno("accept");
    fmt::print("reached from {}\n", programs::peer_name(conn.get()).ip.str());
    return 0;
}

int send_udp(const stun::Endpoint& to, std::chrono::milliseconds duration) {
    programs::UdpSocket socket(stun::Endpoint{Ipv4{0}, 0});
    for (const auto end = Clock::now() + duration; Clock::now() < end;) {
        socket.send_to(to, kHello);
        std::this_thread::sleep_for(kInterval);
    }
    return 0;
}

int send_tcp(const stun::Endpoint& to, std::chrono::milliseconds duration) {
    for (const auto end = Clock::now() + duration; Clock::now() < end;) {
        const Fd fd(::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0));
        if (!fd.valid()) throw_errno("socket(AF_INET, SOCK_STREAM)");
        if (programs::tcp_start_connect(fd.get(), to)) {
            pollfd p{fd.get(), POLLOUT, 0};
            if (::poll(&p, 1, static_cast<int>(kInterval.count())) == 1 &&
                programs::socket_error(fd.get()) == 0) {
                fmt::print("connected\n");
                return 0;
            }
        }
        std::this_thread::sleep_for(kInterval);
    }
    fmt::print("not connected\n");
    return 1;
}

int run(int argc, char** argv) {
    CLI::App app{"testbed-reach: is a port reachable through a NAT?"};
    app.require_subcommand(1);
    std::string proto;
    int port = 0;
    std::string target;
    std::string timeout_text = "8s";
    std::string for_text = "5s";
    auto* listen = app.add_subcommand("listen", "wait for one datagram or connection");
    listen->add_option("protocol", proto)->required()->check(CLI::IsMember({"udp", "tcp"}));
    listen->add_option("port", port)->required()->check(CLI::Range(1, 65535));
    listen->add_option("--timeout", timeout_text);
    std::string first_to_text;
    listen->add_option("--first-to", first_to_text, "UDP: send one datagram here first");
    std::string learn_from_text;
    listen->add_option(
        "--learn-from", learn_from_text,
        "UDP: first ask this STUN server for the public address, from another socket");
    auto* send = app.add_subcommand("send", "send datagrams or connect");
    send->add_option("protocol", proto)->required()->check(CLI::IsMember({"udp", "tcp"}));
    send->add_option("target", target, "ADDRESS:PORT")->required();
    send->add_option("--for", for_text);
    CLI11_PARSE(app, argc, argv);
    try {
        if (listen->parsed()) {
            const auto ms = duration_option(timeout_text, "--timeout");
            const auto p = static_cast<uint16_t>(port);
            std::optional<stun::Endpoint> first_to;
            if (!first_to_text.empty()) {
                first_to = stun::Endpoint::parse(first_to_text);
                if (!first_to) throw Error("--first-to: expected ADDRESS:PORT");
            }
            if (!learn_from_text.empty()) {
                const auto server = stun::Endpoint::parse(learn_from_text);
                if (!server) throw Error("--learn-from: expected ADDRESS:PORT");
                if (proto != "udp") throw Error("--learn-from goes with udp");
                learn_public_address(*server);
            }
            return proto == "udp" ? listen_udp(p, ms, first_to) : listen_tcp(p, ms);
        }
        const auto to = stun::Endpoint::parse(target);
        if (!to) throw Error("target: expected ADDRESS:PORT");
        const auto ms = duration_option(for_text, "--for");
        return proto == "udp" ? send_udp(*to, ms) : send_tcp(*to, ms);
    } catch (const std::exception& e) {
        fmt::print(stderr, "testbed-reach: {}\n", e.what());
        return 2;
    }
}

}  // namespace

int main(int argc, char** argv) {
    return testbed::guarded_main("testbed-reach", argc, argv, run);
}
