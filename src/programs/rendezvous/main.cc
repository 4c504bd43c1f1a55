// rendezvous: the server S of the seed lecture, on UDP and TCP on one port.
// - STUN Binding (RFC 8489: XOR-MAPPED-ADDRESS, and MAPPED-ADDRESS for RFC
//   3489 clients); with --alt, RFC 5780 discovery over UDP (CHANGE-REQUEST,
//   OTHER-ADDRESS, RESPONSE-ORIGIN) from two addresses and two ports.
// - The project's methods (punch/protocol.h): registration, introduction of
//   two registered peers (both at once), connection reversal, relay between
//   introduced peers only.
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
#include "programs/net/udp.h"
#include "punch/protocol.h"
#include "punch/registry.h"
#include "stun/stun.h"

namespace {

using namespace testbed;
using punch::Clock;
using punch::Contact;
using punch::Time;

std::atomic<bool> g_stop{false};

void on_signal(int) {
    g_stop = true;
}

/// Counts an event and logs it at most once a second, so a flood of garbage
/// cannot flood the log either.
class ThrottledLog {
  public:
    explicit ThrottledLog(std::string what) : what_(std::move(what)) {}
    void add(const stun::Endpoint& from, const std::string& why) {
        ++count_;
        ++total_;
        const auto now = Clock::now();
        if (now - last_ < std::chrono::seconds(1)) return;
        log::warning("{} {} message(s); last from {}: {}", what_, count_, from.str(), why);
        count_ = 0;
        last_ = now;
    }
    uint64_t total() const { return total_; }

  private:
    std::string what_;
    uint64_t count_ = 0;
    uint64_t total_ = 0;
    Time last_{};
};

struct Limits {
    size_t max_connections = 512;
    std::chrono::seconds idle{120};
    double rate = 200;  ///< per source address, for every method but Binding
    double burst = 400;
};

class Server {
  public:
    Server(const stun::Endpoint& primary, std::optional<stun::Endpoint> alternate, Limits limits)
        : alternate_(alternate),
          limits_(limits),
          listener_(programs::tcp_listen(primary)),
          limiter_(limits.rate, limits.burst) {
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
        log::info("rendezvous: listening on tcp {}", programs::socket_name(listener_.get()).str());
        Time next_expiry = Clock::now();
        while (!g_stop) {
            std::vector<pollfd> fds;
            for (const auto& s : sockets_) fds.push_back({s->fd(), POLLIN, 0});
            fds.push_back({listener_.get(), POLLIN, 0});
            std::vector<uint64_t> ids;
            for (const auto& [id, c] : connections_) {
                fds.push_back({c.stream.fd(), POLLIN, 0});
                ids.push_back(id);
            }
            if (::poll(fds.data(), fds.size(), 200) > 0) {
                for (size_t i = 0; i < sockets_.size(); ++i) {
                    if (fds[i].revents & POLLIN) receive_udp(i);
                }
                if (fds[sockets_.size()].revents & POLLIN) accept_tcp();
                for (size_t i = 0; i < ids.size(); ++i) {
                    if (fds[sockets_.size() + 1 + i].revents & (POLLIN | POLLHUP | POLLERR))
                        receive_tcp(ids[i]);
                }
            }
            if (Clock::now() >= next_expiry) {
                expire();
                next_expiry = Clock::now() + std::chrono::seconds(1);
            }
        }
        log::info("rendezvous: stopping");
        print_summary();
    }

    /// The last stdout line: what the server did and the most memory it held.
    void print_summary() const {
        rusage usage{};
        ::getrusage(RUSAGE_SELF, &usage);
        const nlohmann::json out = {
            {"binding_answers", answered_},    {"registrations", registrations_},
            {"introductions", introductions_}, {"relayed", relayed_},
            {"malformed", rejects_.total()},   {"rate_limited", limited_.total()},
            {"refused", refused_.total()},     {"peers", registry_.peers()},
            {"max_rss_kb", usage.ru_maxrss}};
        fmt::print("{}\n", out.dump());
        (void)std::fflush(stdout);
    }

  private:
    struct Connection {
        programs::StunStream stream;
        Time last;
    };
    std::optional<stun::Endpoint> alternate_;
    Limits limits_;
    std::vector<std::unique_ptr<programs::UdpSocket>> sockets_;
    Fd listener_;
    std::map<uint64_t, Connection> connections_;
    uint64_t next_connection_ = 1;
    punch::Registry registry_;
    punch::RateLimiter limiter_;
    ThrottledLog rejects_{"rejected malformed"};
    ThrottledLog limited_{"rate-limited"};
    ThrottledLog refused_{"refused"};
    uint64_t answered_ = 0;
    uint64_t registrations_ = 0;
    uint64_t introductions_ = 0;
    uint64_t relayed_ = 0;

    /// Drains a socket (up to a bound, so TCP and the other sockets get their turn).
    void receive_udp(size_t index) {
        for (int i = 0; i < 64; ++i) {
            auto datagram = sockets_[index]->receive(std::chrono::milliseconds(0));
            if (!datagram) return;
            handle_datagram(index, *datagram);
        }
    }

    void handle_datagram(size_t index, const programs::UdpSocket::Datagram& datagram) {
        if (datagram.size > stun::kMaxMessageSize) {
            rejects_.add(datagram.from, fmt::format("{} bytes: larger than {}", datagram.size,
                                                    stun::kMaxMessageSize));
            return;
        }
        auto decoded = stun::decode(datagram.bytes);
        if (auto* why = std::get_if<std::string>(&decoded)) {
            rejects_.add(datagram.from, *why);
            return;
        }
        const auto& message = std::get<stun::Message>(decoded);
        if (message.method == stun::method::binding) {
            if (message.cls == stun::Class::request) answer_binding(index, message, datagram.from);
            return;
        }
        // The project's methods live on the primary socket only: answers and
        // introductions must come from the address the peers registered with.
        if (index == 0) handle(Contact{false, datagram.from, 0}, message);
    }

    void accept_tcp() {
        Fd fd(::accept4(listener_.get(), nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK));
        if (!fd.valid()) return;
        if (connections_.size() >= limits_.max_connections) {
            refused_.add(programs::peer_name(fd.get()), "too many TCP connections");
            return;
        }
        const uint64_t id = next_connection_++;
        connections_.emplace(id, Connection{programs::StunStream(std::move(fd)), Clock::now()});
    }

    void receive_tcp(uint64_t id) {
        auto it = connections_.find(id);
        if (it == connections_.end()) return;
        Connection& c = it->second;
        c.last = Clock::now();
        std::string why;
        auto messages = c.stream.read(why);
        const Contact contact{true, c.stream.peer(), id};
        for (const auto& m : messages) {
            if (m.method == stun::method::binding) {
                if (m.cls == stun::Class::request) answer_tcp_binding(c, m);
            } else {
                handle(contact, m);
            }
            if (!connections_.count(id)) return;  // closed while handling
        }
        if (!why.empty()) {
            if (why != "closed") rejects_.add(contact.endpoint, why);
            close(id);
        }
    }

    void close(uint64_t id) {
        auto it = connections_.find(id);
        if (it == connections_.end()) return;
        registry_.forget(Contact{true, it->second.stream.peer(), id});
        connections_.erase(it);
    }

    void expire() {
        const Time now = Clock::now();
        registry_.expire(now);
        std::vector<uint64_t> idle;
        for (const auto& [id, c] : connections_) {
            if (now - c.last > limits_.idle) idle.push_back(id);
        }
        for (uint64_t id : idle) close(id);
    }

    void deliver(const Contact& to, const stun::Message& m) {
        const auto bytes = stun::encode(m);
        if (!to.tcp) {
            sockets_[0]->send_to(to.endpoint, bytes);
            return;
        }
        auto it = connections_.find(to.connection);
        if (it == connections_.end()) return;
        // A peer that does not read its connection loses it: memory stays bounded.
        if (!it->second.stream.write(bytes)) close(to.connection);
    }

    void handle(const Contact& from, const stun::Message& m) {
        const Time now = Clock::now();
        if (!limiter_.allow(from.endpoint.ip, now)) {
            limited_.add(from.endpoint, fmt::format("method {:#x}", m.method));
            return;
        }
        if (auto r = punch::register_from(m)) return on_register(from, m, *r, now);
        if (auto c = punch::connect_from(m)) return on_connect(from, m, *c, now);
        if (auto r = punch::reversal_from(m))
            return forward(from, r->peer, now, [&](const std::string& me) {
                return punch::to_message(punch::Reversal{me});
            });
        if (auto r = punch::relay_from(m)) {
            return forward(from, r->peer, now, [&](const std::string& me) {
                ++relayed_;
                return punch::to_message(punch::Relay{me, r->data});
            });
        }
        if (m.cls == stun::Class::request) {
            deliver(from, punch::error_answer(m, 400, "Bad Request"));
        }
        rejects_.add(from.endpoint, fmt::format("unexpected or malformed method {:#x}", m.method));
    }

    void on_register(const Contact& from, const stun::Message& m, const punch::Register& r,
                     Time now) {
        switch (registry_.add(r, from, now)) {
            case punch::Registry::Status::ok: {
                ++registrations_;
                stun::Message ok;
                ok.method = m.method;
                ok.cls = stun::Class::success;
                ok.transaction = m.transaction;
                ok.add_xor_address(stun::attr::xor_mapped_address, from.endpoint);
                deliver(from, ok);
                log::debug("registered {} at {}{}", r.id, from.endpoint.str(),
                           from.tcp ? " (tcp)" : "");
                return;
            }
            case punch::Registry::Status::taken:
                refused_.add(from.endpoint,
                             fmt::format("id '{}' is registered with another key", r.id));
                return deliver(from, punch::error_answer(m, 409, "Peer id taken by another key"));
            case punch::Registry::Status::full:
                refused_.add(from.endpoint, "registrations full");
                return deliver(from, punch::error_answer(m, 503, "Server full"));
        }
    }

    void on_connect(const Contact& from, const stun::Message& m, const punch::Connect& c,
                    Time now) {
        auto result = registry_.connect(from, c.target, now);
        if (auto* both = std::get_if<punch::Registry::Introductions>(&result)) {
            // Both sides at once: they start punching at the same moment.
            deliver(both->requester, punch::to_message(both->for_requester));
            deliver(both->target, punch::to_message(both->for_target));
            stun::Message ok;
            ok.method = m.method;
            ok.cls = stun::Class::success;
            ok.transaction = m.transaction;
            deliver(from, ok);
            ++introductions_;
            log::info("introduced {} ({}) and {} ({})", both->for_target.peer,
                      both->requester.endpoint.str(), both->for_requester.peer,
                      both->target.endpoint.str());
            return;
        }
        switch (std::get<punch::Registry::Refusal>(result)) {
            case punch::Registry::Refusal::not_registered:
                return deliver(from, punch::error_answer(m, 403, "Register first"));
            case punch::Registry::Refusal::unknown_target:
                return deliver(from, punch::error_answer(m, 404, "Unknown peer"));
            case punch::Registry::Refusal::self:
                return deliver(from, punch::error_answer(m, 400, "Cannot connect to oneself"));
            case punch::Registry::Refusal::full:
                return deliver(from, punch::error_answer(m, 503, "Server full"));
        }
    }

    /// Reversal and relay: only from a registered peer, only to a peer it was introduced to.
    template <typename Make>
    void forward(const Contact& from, const std::string& to, Time now, Make make) {
        const auto* sender = registry_.at(from, now);
        const auto* target = registry_.find(to, now);
        if (!sender || !target || !registry_.introduced(sender->registration.id, to, now)) {
            refused_.add(from.endpoint, fmt::format("forward to '{}' without an introduction", to));
            return;
        }
        deliver(target->contact, make(sender->registration.id));
    }

    void answer_tcp_binding(Connection& c, const stun::Message& request) {
        stun::Message reply;
        reply.transaction = request.transaction;
        reply.cls = stun::Class::success;
        reply.add_xor_address(stun::attr::xor_mapped_address, c.stream.peer());
        reply.add_address(stun::attr::mapped_address, c.stream.peer());
        reply.add_software("testbed rendezvous");
        c.stream.write(stun::encode(reply));
        ++answered_;
    }

    void answer_binding(size_t index, const stun::Message& request, const stun::Endpoint& from) {
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
        // RFC 5780 §7.5: RESPONSE-PORT sends the answer to another port of
        // the client's (mapped) address; it only exists for discovery.
        stun::Endpoint to = from;
        if (const stun::Attribute* rp = request.find(stun::attr::response_port);
            rp && alternate_ && rp->value.size() == 4) {
            to.port = static_cast<uint16_t>((rp->value[0] << 8) | rp->value[1]);
        }
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
        sockets_[out]->send_to(to, stun::encode(reply));
        ++answered_;
        if (log::enabled(log::Level::debug)) {
            log::debug("binding from {} on {}, answered from {} to {}", from.str(),
                       sockets_[index]->local().str(), sockets_[out]->local().str(), to.str());
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
    app.add_option("--rate-limit", limits.rate,
                   "Messages a second per source address, for every method but Binding (0: off)")
        ->capture_default_str();
    app.add_option("--max-connections", limits.max_connections, "Open TCP connections at most")
        ->capture_default_str();
    app.add_flag("-v,--verbose", verbose, "Log every request");
    CLI11_PARSE(app, argc, argv);
    log::set_level(verbose ? log::Level::debug : log::Level::info);
    limits.burst = std::max(1.0, limits.rate * 2);
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
        Server(*primary, alternate, limits).serve();
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
