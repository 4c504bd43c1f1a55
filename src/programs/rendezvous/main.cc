// rendezvous: the server S of the seed lecture, on UDP and TCP on one port.
// - STUN Binding (RFC 8489: XOR-MAPPED-ADDRESS, and MAPPED-ADDRESS for RFC
//   3489 clients); with --alt, RFC 5780 discovery over UDP (CHANGE-REQUEST,
//   OTHER-ADDRESS, RESPONSE-ORIGIN) from two addresses and two ports.
// - The project's methods (punch/protocol.h): registration, introduction of
//   two registered peers (both at once), connection reversal, relay between
//   introduced peers only; with --spoof, STUNT #1's forged SYN-ACKs for an
//   introduced pair that asked for them (raw socket: CAP_NET_RAW).
// Bounded: registrations, pairs, TCP connections and rate-limit buckets are
// capped; garbage is dropped and logged at most once a second.

#include <arpa/inet.h>
#include <fmt/core.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/socket.h>

#include <CLI/CLI.hpp>
#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>

#include "base/error.h"
#include "base/log.h"
#include "programs/net/tcp.h"
#include "programs/net/tcp_raw.h"
#include "programs/net/udp.h"
#include "punch/protocol.h"
#include "punch/server.h"
#include "stun/stun.h"

namespace {

using namespace testbed;
using punch::Clock;
using punch::Time;

std::atomic<bool> g_stop{false};

void on_signal(int) {
    g_stop = true;
}

struct Limits {
    size_t max_connections = 512;
    std::chrono::seconds idle{120};
    punch::ServerLimits server;
    bool spoof = false;  ///< --spoof: STUNT #1's forged SYN-ACKs
};

/// The sockets: UDP on the primary address (and the three more RFC 5780
/// needs), TCP on the primary; what arrives goes to punch::Server, what it
/// answers goes out here.
class Sockets {
  public:
    Sockets(const stun::Endpoint& primary, std::optional<stun::Endpoint> alternate, Limits limits)
        : limits_(limits), listener_(programs::tcp_listen(primary)) {
        udp_.push_back(std::make_unique<programs::UdpSocket>(primary));
        if (alternate) {
            const stun::Endpoint& alt = *alternate;
            udp_.push_back(
                std::make_unique<programs::UdpSocket>(stun::Endpoint{primary.ip, alt.port}));
            udp_.push_back(
                std::make_unique<programs::UdpSocket>(stun::Endpoint{alt.ip, primary.port}));
            udp_.push_back(std::make_unique<programs::UdpSocket>(alt));
        }
        std::vector<stun::Endpoint> addresses;
        for (const auto& s : udp_) addresses.push_back(s->local());
        server_.emplace(std::move(addresses), limits.server);
        if (limits.spoof) {
            // Fail at start, not at the first pair: the spoofer needs a raw socket.
            if (!Fd(::socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_RAW)).valid())
                throw_errno("--spoof: socket(AF_INET, SOCK_RAW, IPPROTO_RAW) (needs CAP_NET_RAW)");
            server_->allow_spoofing(true);
        }
    }

    void serve() {
        for (const auto& s : udp_) log::info("rendezvous: listening on udp {}", s->local().str());
        log::info("rendezvous: listening on tcp {}", programs::socket_name(listener_.get()).str());
        Time next_expiry = Clock::now();
        while (!g_stop) {
            poll_once();
            if (Clock::now() >= next_expiry) {
                expire();
                next_expiry = Clock::now() + std::chrono::seconds(1);
            }
        }
        log::info("rendezvous: stopping");
        print_summary();
    }

  private:
    struct Connection {
        programs::StunStream stream;
        Time last;
    };
    Limits limits_;
    std::vector<std::unique_ptr<programs::UdpSocket>> udp_;
    Fd listener_;
    std::map<uint64_t, Connection> connections_;
    uint64_t next_connection_ = 1;
    std::optional<punch::Server> server_;
    uint64_t refused_connections_ = 0;

    void poll_once() {
        std::vector<pollfd> fds;
        for (const auto& s : udp_) fds.push_back({s->fd(), POLLIN, 0});
        fds.push_back({listener_.get(), POLLIN, 0});
        std::vector<uint64_t> ids;
        for (const auto& [id, c] : connections_) {
            fds.push_back({c.stream.fd(), POLLIN, 0});
            ids.push_back(id);
        }
        if (::poll(fds.data(), fds.size(), 200) <= 0) return;
        for (size_t i = 0; i < udp_.size(); ++i) {
            if (fds[i].revents & POLLIN) receive_udp(i);
        }
        if (fds[udp_.size()].revents & POLLIN) accept_tcp();
        for (size_t i = 0; i < ids.size(); ++i) {
            if (fds[udp_.size() + 1 + i].revents & (POLLIN | POLLHUP | POLLERR))
                receive_tcp(ids[i]);
        }
    }

    /// The last stdout line: what the server did and the most memory it held.
    void print_summary() const {
        rusage usage{};
        ::getrusage(RUSAGE_SELF, &usage);
        const punch::ServerCounters& c = server_->counters();
        const nlohmann::json out = {{"binding_answers", c.binding_answers},
                                    {"registrations", c.registrations},
                                    {"introductions", c.introductions},
                                    {"relayed", c.relayed},
                                    {"malformed", c.malformed},
                                    {"rate_limited", c.rate_limited},
                                    {"refused", c.refused + refused_connections_},
                                    {"challenges", c.challenges},
                                    {"cut", c.cut},
                                    {"spoofed", c.spoofed},
                                    {"peers", server_->peers()},
                                    {"max_rss_kb", usage.ru_maxrss}};
        fmt::print("{}\n", out.dump());
        (void)std::fflush(stdout);
    }

    /// Drains a socket (up to a bound, so TCP and the other sockets get their turn).
    void receive_udp(size_t index) {
        for (int i = 0; i < 64; ++i) {
            auto d = udp_[index]->receive(std::chrono::milliseconds(0));
            if (!d) return;
            deliver(server_->on_datagram(index, d->from, d->bytes, d->size, Clock::now()));
        }
    }

    void accept_tcp() {
        Fd fd(::accept4(listener_.get(), nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK));
        if (!fd.valid()) return;
        if (connections_.size() >= limits_.max_connections) {
            ++refused_connections_;
            log::debug("refused a TCP connection from {}: too many",
                       programs::peer_name(fd.get()).str());
            return;
        }
        const uint64_t id = next_connection_++;
        // One source gets its share of the connections, no more.
        if (!server_->admit(id, programs::peer_name(fd.get()), Clock::now())) {
            ++refused_connections_;
            return;
        }
        connections_.emplace(id, Connection{programs::StunStream(std::move(fd)), Clock::now()});
    }

    void receive_tcp(uint64_t id) {
        auto it = connections_.find(id);
        if (it == connections_.end()) return;
        Connection& c = it->second;
        c.last = Clock::now();
        std::string why;
        const auto messages = c.stream.read(why);
        const stun::Endpoint peer = c.stream.peer();
        for (const auto& m : messages) {
            deliver(server_->on_stream(id, peer, m, Clock::now()));
            if (!connections_.count(id)) return;  // closed while delivering
        }
        if (!why.empty()) {
            if (why != "closed") server_->on_stream_garbage(peer, why, Clock::now());
            close(id);
        }
    }

    void close(uint64_t id) {
        auto it = connections_.find(id);
        if (it == connections_.end()) return;
        server_->on_closed(id, it->second.stream.peer());
        connections_.erase(it);
    }

    void expire() {
        const Time now = Clock::now();
        server_->expire(now);
        std::vector<uint64_t> idle;
        for (const auto& [id, c] : connections_) {
            if (now - c.last > limits_.idle) idle.push_back(id);
        }
        // And those that never sent a whole message in time (half-sent holds).
        for (uint64_t id : server_->overdue(now)) idle.push_back(id);
        for (uint64_t id : idle) close(id);
    }

    void deliver(const std::vector<punch::Send>& sends) {
        for (const auto& s : sends) {
            const auto bytes = stun::encode(s.message);
            if (!s.to.tcp) {
                udp_.at(s.socket)->send_to(s.to.endpoint, bytes);
                continue;
            }
            auto it = connections_.find(s.to.connection);
            if (it == connections_.end()) continue;
            // A peer that does not read its connection loses it: memory stays bounded.
            if (!it->second.stream.write(bytes)) close(s.to.connection);
        }
        for (const punch::ForgedSynAck& f : server_->take_forged()) {
            try {
                programs::send_tcp_segment(
                    {f.from, f.to, f.seq, f.ack,
                     static_cast<uint8_t>(programs::tcp_flag::syn | programs::tcp_flag::ack)});
            } catch (const Error& e) {
                log::error("rendezvous: forging a SYN-ACK to {}: {}", f.to.str(), e.what());
            }
        }
    }
};

}  // namespace

namespace {
int run(int argc, char** argv) {
    CLI::App app{
        "rendezvous: STUN, rendezvous and relay server (the server S of the seed lecture)"};
    std::string listen = "0.0.0.0:3478";
    std::string alt;
    bool verbose = false;
    Limits limits;
    app.add_option("--listen", listen, "ADDRESS:PORT to serve on, UDP and TCP")
        ->capture_default_str();
    app.add_option(
        "--alt", alt,
        "Alternate ADDRESS[:PORT] for RFC 5780 discovery (default port: the listen port + 1); "
        "--listen must then name a specific address");
    app.add_option("--rate-limit", limits.server.rate,
                   "Messages a second per source address, for every method but Binding (0: off)")
        ->capture_default_str();
    app.add_option("--max-connections", limits.max_connections, "Open TCP connections at most")
        ->capture_default_str();
    app.add_option("--binding-rate", limits.server.binding_rate,
                   "Binding answers a second per source address (0: off; answers are larger "
                   "than requests, so this bounds what a spoofed source can direct at a victim)")
        ->capture_default_str();
    app.add_option("--connections-per-source", limits.server.connections_per_source,
                   "Open TCP connections from one source address at most")
        ->capture_default_str();
    app.add_option("--max-peers", limits.server.registry.max_peers,
                   "Registrations at most (when full, the biggest holder gives one up)")
        ->capture_default_str();
    app.add_option("--max-per-source", limits.server.registry.max_per_source,
                   "Registrations from one source address at most (peers behind one NAT share it)")
        ->capture_default_str();
    app.add_flag("--spoof", limits.spoof,
                 "Forge STUNT #1's SYN-ACKs for an introduced pair that asks (needs CAP_NET_RAW)");
    app.add_flag("-v,--verbose", verbose, "Log every request");
    CLI11_PARSE(app, argc, argv);
    log::set_level(verbose ? log::Level::debug : log::Level::info);
    limits.server.burst = std::max(1.0, limits.server.rate * 2);
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
    (void)signal(SIGPIPE, SIG_IGN);
    // Room for --max-connections descriptors (the hard limit allows it on Debian).
    rlimit files{};
    if (::getrlimit(RLIMIT_NOFILE, &files) == 0 && files.rlim_cur < files.rlim_max) {
        files.rlim_cur = files.rlim_max;
        (void)::setrlimit(RLIMIT_NOFILE, &files);
    }
    try {
        Sockets(*primary, alternate, limits).serve();
        return 0;
    } catch (const std::exception& e) {
        log::error("{}", e.what());
        return 1;
    }
}
}  // namespace

int main(int argc, char** argv) {
    return testbed::guarded_main("rendezvous", argc, argv, run);
}
