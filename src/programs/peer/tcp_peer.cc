// peer --connect over TCP (the seed's §4, "P2P-NAT"): one local port for
// everything. The connection to the server is made from it; then the peer
// listens on it and connects from it to every candidate of the other peer at
// once (SO_REUSEADDR and SO_REUSEPORT), retrying after a reset or an
// unreachable. Crossing SYNs make a simultaneous open, which the kernel
// completes into one connection. Every connection that comes up, outgoing
// or accepted, is a path the session authenticates; relay goes over the
// server connection.

#include <fmt/core.h>
#include <poll.h>
#include <sys/socket.h>

#include <cstring>
#include <limits>
#include <map>

#include "base/error.h"
#include "base/log.h"
#include "programs/net/tcp.h"
#include "programs/peer/connect.h"
#include "punch/protocol.h"

namespace testbed::programs {
namespace {

using punch::Clock;
using punch::PathId;
using punch::Time;
using std::chrono::milliseconds;

constexpr PathId kRelayPath = std::numeric_limits<PathId>::max();
constexpr auto kRetry = milliseconds(100);
constexpr auto kResend = milliseconds(500);
constexpr auto kRefresh = std::chrono::seconds(10);
constexpr auto kLinger = milliseconds(300);
constexpr auto kLivenessWait = milliseconds(1500);
constexpr int kPredictPorts = 8;

class TcpPeer {
  public:
    explicit TcpPeer(const ConnectOptions& o) : o_(o), start_(Clock::now()) {}

    nlohmann::json run() {
        const Time deadline = start_ + o_.timeout;
        std::vector<uint16_t> first_ports;
        if (o_.predict) first_ports = fresh_mappings(deadline);
        if (!connect_server(deadline))
            return failed(o_, fmt::format("no TCP connection to the server {} within {}",
                                          o_.server.str(), format_duration(o_.timeout)));
        if (o_.predict) measure_port_step(first_ports, deadline);
        const uint16_t port = server_->local().port;
        listener_ = tcp_listen({Ipv4{0}, port}, true);
        self_.private_endpoints = local_endpoints(port);
        self_.use_private = o_.use_private;
        self_.predict_count = o_.predict ? kPredictPorts : 0;
        if (!connect_until(deadline)) {
            if (fatal_) return failed(o_, *fatal_);
            if (!mapped_) return failed(o_, "the server did not answer the registration");
            if (!session_)
                return failed(o_, fmt::format("{} did not register with the server within {}",
                                              o_.target, format_duration(o_.timeout)));
            return failed(
                o_, fmt::format("no path to {} within {}{}", o_.target, format_duration(o_.timeout),
                                o_.relay ? "" : " (relay disabled)"));
        }
        pump_until(Clock::now() + (session_->controlling() ? kLinger : milliseconds(0)));
        const PathId chosen = *session_->chosen();
        nlohmann::json out;
        if (chosen == kRelayPath) {
            out = connected(o_, *session_, punch::PathKind::relay, server_->local(), o_.server);
        } else {
            const Path& p = paths_.at(chosen);
            out = connected(o_, *session_, p.kind, p.stream->local(), p.stream->peer());
            out["opened"] = p.accepted ? "accepted" : "connected";
        }
        out["mapped"] = mapped_->str();
        if (port_step_ != 0) out["port_step"] = port_step_;
        out["rejected_paths"] = session_->rejections();
        if (o_.hold > Duration::zero()) {
            out["held_ms"] = std::chrono::duration_cast<milliseconds>(o_.hold).count();
            if (!hold(chosen)) {
                out["result"] = "failed";
                out["error"] = fmt::format("the path went silent during the {} hold",
                                           format_duration(o_.hold));
            }
        }
        return out;
    }

  private:
    /// An outgoing connect in flight to one candidate.
    struct Attempt {
        Fd fd;
        size_t candidate;
    };
    /// A connection that came up: one path of the session.
    struct Path {
        std::unique_ptr<StunStream> stream;
        punch::PathKind kind;
        bool accepted;
        size_t candidate = kNoCandidate;  ///< the candidate an outgoing connection went to
        bool open = true;
    };
    static constexpr size_t kNoCandidate = std::numeric_limits<size_t>::max();

    const ConnectOptions& o_;
    Time start_;
    punch::Identity identity_;
    std::unique_ptr<StunStream> server_;
    Fd listener_;
    punch::SelfView self_;
    std::optional<stun::Endpoint> mapped_;
    stun::TransactionId register_tx_{};
    std::optional<std::string> fatal_;
    std::optional<punch::Session> session_;
    std::vector<punch::Candidate> candidates_;
    std::vector<Time> retry_at_;  ///< by candidate; Time::max() while connecting or connected
    std::vector<Attempt> attempts_;
    std::map<PathId, Path> paths_;
    PathId next_path_ = 0;
    bool passive_ = false;  ///< connection reversal: the public side only listens
    std::optional<Time> ping_seen_;
    int32_t port_step_ = 0;
    std::vector<Fd> early_;  ///< accepted before the introduction came

    /// A Binding over `stream`: the port the server sees.
    static std::optional<uint16_t> mapped_port(StunStream& stream, Time deadline) {
        stun::Message request;
        request.transaction = stun::new_transaction_id();
        if (!stream.write(stun::encode(request))) return std::nullopt;
        while (Clock::now() < deadline) {
            pollfd in{stream.fd(), POLLIN, 0};
            if (::poll(&in, 1, 1000) <= 0) return std::nullopt;
            std::string why;
            for (const auto& m : stream.read(why)) {
                if (m.transaction == request.transaction && m.mapped()) return m.mapped()->port;
            }
            if (!why.empty()) return std::nullopt;
        }
        return std::nullopt;
    }

    std::optional<uint16_t> mapped_port_of_fresh_connection(Time deadline) {
        Fd fd = tcp_bound_socket({Ipv4{0}, 0});
        if (!tcp_start_connect(fd.get(), o_.server)) return std::nullopt;
        pollfd p{fd.get(), POLLOUT, 0};
        if (::poll(&p, 1, 1000) <= 0 || socket_error(fd.get()) != 0) return std::nullopt;
        StunStream stream(std::move(fd));
        return mapped_port(stream, deadline);
    }

    /// As for UDP: two fresh connections (before the main one) ...
    std::vector<uint16_t> fresh_mappings(Time deadline) {
        std::vector<uint16_t> ports;
        for (int i = 0; i < 2; ++i) {
            auto port = mapped_port_of_fresh_connection(deadline);
            if (!port) return {};
            ports.push_back(*port);
        }
        return ports;
    }

    /// ... then the main one: on a sequential NAT the three mapped ports are
    /// evenly spaced. Done before registering, so the registration carries the step.
    void measure_port_step(const std::vector<uint16_t>& ports, Time deadline) {
        if (ports.size() != 2) return;
        auto third = mapped_port(*server_, deadline);
        if (!third) return;
        const int step = *third - ports[1];
        if (*third != server_->local().port && step != 0 && ports[1] - ports[0] == step &&
            std::abs(step) <= punch::kMaxPortStep)
            port_step_ = step;
        log::info("{}: tcp mappings {} {} {}: {}", o_.id, ports[0], ports[1], *third,
                  port_step_ ? fmt::format("sequential, step {}", port_step_)
                             : std::string("no sequence"));
    }

    bool connect_server(Time deadline) {
        Fd fd = tcp_bound_socket({Ipv4{0}, o_.local_port});
        if (!tcp_start_connect(fd.get(), o_.server)) {
            fatal_ = fmt::format("connect({}): {}", o_.server.str(), std::strerror(errno));
            return false;
        }
        pollfd p{fd.get(), POLLOUT, 0};
        const auto wait = std::chrono::duration_cast<milliseconds>(deadline - Clock::now());
        if (::poll(&p, 1, static_cast<int>(std::max<int64_t>(0, wait.count()))) <= 0) return false;
        if (const int err = socket_error(fd.get())) {
            log::error("{}: connect({}): {}", o_.id, o_.server.str(), std::strerror(err));
            return false;
        }
        server_ = std::make_unique<StunStream>(std::move(fd));
        return true;
    }

    bool connect_until(Time deadline) {
        Time next_register = Clock::now();
        Time next_connect = Clock::now();
        Time next_resend = Time::max();
        Time next_reversal = Time::max();
        while (!fatal_ && !(session_ && session_->complete())) {
            const Time now = Clock::now();
            if (now >= deadline) return false;
            if (now >= next_register) {
                send_register();
                next_register = now + kRefresh;
            }
            if (mapped_ && !session_ && now >= next_connect) {
                send_server(
                    punch::to_message(punch::Connect{o_.target}, stun::new_transaction_id()));
                next_connect = now + milliseconds(250);
            }
            if (session_) {
                if (next_resend == Time::max()) next_resend = now;
                if (passive_ && next_reversal == Time::max()) next_reversal = now;
                start_attempts(now);
                if (now >= next_resend) {
                    resend(now);
                    next_resend = now + kResend;
                }
                if (now >= next_reversal) {
                    send_server(punch::to_message(punch::Reversal{o_.target}));
                    next_reversal = now + kResend;
                }
            }
            Time wake = std::min({next_register, deadline, next_resend, next_reversal});
            if (!session_) wake = std::min(wake, next_connect);
            for (Time t : retry_at_) wake = std::min(wake, t);
            pump(wake);
        }
        return !fatal_;
    }

    void send_register() {
        register_tx_ = stun::new_transaction_id();
        punch::Register r{o_.id, identity_.public_key(), self_.private_endpoints, port_step_};
        send_server(punch::to_message(r, register_tx_));
    }

    void send_server(const stun::Message& m) {
        if (!server_->write(stun::encode(m))) fatal_ = "lost the connection to the server";
    }

    void send(PathId path, const punch::Punch& p) {
        if (!p.payload.empty()) session_->note_payload_sent(Clock::now());
        const auto bytes = stun::encode(punch::to_message(p));
        if (path == kRelayPath) {
            send_server(punch::to_message(punch::Relay{o_.target, bytes}));
            return;
        }
        Path& conn = paths_.at(path);
        if (conn.open && !conn.stream->write(bytes)) conn.open = false;
    }

    /// Connects to every candidate not connecting or connected, when its retry time has come.
    void start_attempts(Time now) {
        if (passive_) return;
        for (size_t i = 0; i < candidates_.size(); ++i) {
            if (now < retry_at_[i]) continue;
            retry_at_[i] = Time::max();
            Fd fd = tcp_bound_socket({Ipv4{0}, server_->local().port});
            if (!tcp_start_connect(fd.get(), candidates_[i].endpoint)) {
                log::debug("{}: connect {}: {}", o_.id, candidates_[i].endpoint.str(),
                           std::strerror(errno));
                retry_at_[i] = now + kRetry;
                continue;
            }
            attempts_.push_back({std::move(fd), i});
        }
    }

    /// Messages on every open path again (and through the relay once the punch timeout passed).
    void resend(Time now) {
        for (auto& [id, p] : paths_) {
            if (p.open && !session_->rejected(id)) send(id, session_->message(id));
        }
        if (o_.relay && now - session_->introduced() >= o_.punch_timeout)
            send(kRelayPath, session_->message(kRelayPath));
    }

    /// Waits for and handles socket events until `until` (at least one poll).
    void pump(Time until) {
        std::vector<pollfd> fds;
        fds.push_back({server_->fd(), POLLIN, 0});
        fds.push_back({listener_.get(), POLLIN, 0});
        for (const auto& a : attempts_) fds.push_back({a.fd.get(), POLLOUT, 0});
        std::vector<PathId> ids;
        for (const auto& [id, p] : paths_) {
            if (!p.open) continue;
            fds.push_back({p.stream->fd(), POLLIN, 0});
            ids.push_back(id);
        }
        const auto wait = std::chrono::duration_cast<milliseconds>(until - Clock::now());
        if (::poll(fds.data(), fds.size(), static_cast<int>(std::max<int64_t>(0, wait.count()))) <=
            0)
            return;
        if (fds[0].revents) read_server();
        if (fds[1].revents & POLLIN) accept_one();
        std::vector<size_t> finished;
        for (size_t i = 0; i < attempts_.size(); ++i) {
            if (fds[2 + i].revents) finished.push_back(i);
        }
        for (auto it = finished.rbegin(); it != finished.rend(); ++it) finish_attempt(*it);
        for (size_t i = 0; i < ids.size(); ++i) {
            if (fds[2 + attempts_.size() + finished.size() + i].revents) read_path(ids[i]);
        }
    }

    void pump_until(Time until) {
        while (Clock::now() < until) pump(until);
    }

    void finish_attempt(size_t index) {
        Attempt a = std::move(attempts_[index]);
        attempts_.erase(attempts_.begin() + static_cast<std::ptrdiff_t>(index));
        const int err = socket_error(a.fd.get());
        if (err != 0) {
            // Reset (a NAT that answers unsolicited SYNs with RST), unreachable
            // or timed out: try again shortly, the other side may have opened its NAT by then.
            log::debug("{}: connect {}: {}", o_.id, candidates_[a.candidate].endpoint.str(),
                       std::strerror(err));
            retry_at_[a.candidate] = Clock::now() + kRetry;
            return;
        }
        add_path(std::move(a.fd), candidates_[a.candidate].kind, false, a.candidate);
    }

    void accept_one() {
        Fd fd(::accept4(listener_.get(), nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK));
        if (!fd.valid()) return;
        if (!session_) {
            // The other side's SYN can beat our introduction here; keep the
            // connection until we know whom to expect on it (bounded).
            if (early_.size() < 16) early_.push_back(std::move(fd));
            return;
        }
        accept_path(std::move(fd));
    }

    void accept_path(Fd fd) {
        const stun::Endpoint from = peer_name(fd.get());
        add_path(std::move(fd), punch::classify(self_, session_->other(), candidates_, from), true);
    }

    void add_path(Fd fd, punch::PathKind kind, bool accepted, size_t candidate = kNoCandidate) {
        const PathId id = next_path_++;
        auto stream = std::make_unique<StunStream>(std::move(fd));
        log::debug("{}: tcp {} {} -> {} ({})", o_.id, accepted ? "accepted" : "connected",
                   stream->local().str(), stream->peer().str(), punch::path_name(kind));
        paths_.emplace(id, Path{std::move(stream), kind, accepted, candidate});
        session_->mark_two_way(id);
        send(id, session_->message(id));
    }

    void read_path(PathId id) {
        Path& p = paths_.at(id);
        std::string why;
        for (const auto& m : p.stream->read(why)) {
            if (auto punch = punch::punch_from(m)) handle_punch(id, *punch);
        }
        if (!why.empty()) {
            log::debug("{}: path {} -> {} ended: {}", o_.id, p.stream->local().str(),
                       p.stream->peer().str(), why);
            p.open = false;
        }
    }

    void read_server() {
        std::string why;
        for (const auto& m : server_->read(why)) handle_server(m);
        if (!why.empty()) fatal_ = fmt::format("the server connection ended: {}", why);
    }

    void handle_server(const stun::Message& m) {
        if (m.method == punch::method::register_peer && m.transaction == register_tx_) {
            if (m.cls == stun::Class::success && m.mapped()) {
                if (!mapped_)
                    log::info("{}: registered over tcp, public endpoint {}", o_.id,
                              m.mapped()->str());
                mapped_ = m.mapped();
                self_.public_endpoint = *mapped_;
            } else if (m.cls == stun::Class::error) {
                fatal_ = fmt::format("the server refused the registration: error {}",
                                     m.error_code().value_or(0));
            }
        } else if (m.method == punch::method::connect && m.cls == stun::Class::error) {
            if (m.error_code() != 404)
                fatal_ = fmt::format("the server refused the introduction: error {}",
                                     m.error_code().value_or(0));
        } else if (auto intro = punch::introduction_from(m)) {
            on_introduction(*intro);
        } else if (auto relay = punch::relay_from(m)) {
            if (relay->peer != o_.target) return;
            auto inner = stun::decode(relay->data);
            auto* im = std::get_if<stun::Message>(&inner);
            if (auto p = im ? punch::punch_from(*im) : std::nullopt) handle_punch(kRelayPath, *p);
        } else if (auto rev = punch::reversal_from(m)) {
            log::info("{}: {} asks for a connection reversal: connecting to it", o_.id, rev->peer);
            for (auto& t : retry_at_) {
                if (t != Time::max()) t = Clock::now();
            }
        }
    }

    void on_introduction(const punch::Introduction& intro) {
        if (session_ || intro.peer != o_.target) return;
        session_.emplace(identity_, o_.id, intro, Clock::now());
        candidates_ = punch::candidates(self_, intro);
        retry_at_.assign(candidates_.size(), Clock::now());
        passive_ = punch::reversal_case(self_, intro) &&
                   punch::is_public(self_.private_endpoints, self_.public_endpoint);
        std::string list;
        for (const auto& c : candidates_)
            list += fmt::format(" {}({})", c.endpoint.str(), punch::path_name(c.kind));
        log::info("{}: introduced to {} (public {}), {}:{}", o_.id, intro.peer,
                  intro.public_endpoint.str(),
                  passive_ ? "asking it to connect to us (reversal); it would reach" : "candidates",
                  list);
        // Connections the other side opened before this introduction came: the
        // kernel will refuse our own connect to the same address and port
        // (the pair is taken), so these are the paths.
        for (auto& fd : std::exchange(early_, {})) accept_path(std::move(fd));
    }

    void handle_punch(PathId path, const punch::Punch& p) {
        if (!session_) return;
        const auto outcome = session_->receive(path, p, Clock::now());
        if (outcome.verdict == punch::Session::Verdict::rejected) {
            if (path != kRelayPath && paths_.at(path).open) {
                log::warning("{}: rejected {}: it claims to be {} but its proof does not check",
                             o_.id, paths_.at(path).stream->peer().str(), o_.target);
                paths_.at(path).open = false;
            }
            return;
        }
        if (outcome.pong) ping_seen_ = Clock::now();
        if (!outcome.reply) return;
        punch::Punch reply = session_->message(path);
        if (outcome.pong) reply.flags |= punch::flag::pong;
        send(path, reply);
    }

    bool hold(PathId chosen) {
        const Time end = Clock::now() + o_.hold;
        Time next_keepalive = Clock::now();
        while (Clock::now() < end) {
            if (o_.keepalive > Duration::zero() && Clock::now() >= next_keepalive) {
                punch::Punch k = session_->message(chosen);
                k.flags |= punch::flag::keepalive;
                send(chosen, k);
                next_keepalive += o_.keepalive;
            }
            pump(o_.keepalive > Duration::zero() ? std::min(end, next_keepalive) : end);
        }
        const Time asked = Clock::now();
        const Time give_up = asked + kLivenessWait;
        if (session_->controlling()) {
            punch::Punch ping = session_->message(chosen);
            ping.flags |= punch::flag::ping;
            send(chosen, ping);
        }
        while (Clock::now() < give_up) {
            if (session_->controlling() && session_->last_pong() && *session_->last_pong() >= asked)
                return true;
            if (!session_->controlling() && ping_seen_ && *ping_seen_ >= asked) return true;
            pump(give_up);
        }
        return false;
    }
};

}  // namespace

nlohmann::json connect_tcp(const ConnectOptions& options) {
    return TcpPeer(options).run();
}

}  // namespace testbed::programs
