// peer --connect over UDP: register from one socket, ask for the other peer,
// then punch to every candidate at once from that same socket (the seed's
// §3.3), with the relay through the server as one more candidate once the
// punch timeout passes.

#include <fmt/core.h>

#include <limits>

#include "base/log.h"
#include "programs/net/udp.h"
#include "programs/peer/connect.h"
#include "programs/peer/probe.h"
#include "punch/protocol.h"

namespace testbed::programs {
namespace {

using punch::Clock;
using punch::PathId;
using punch::Time;
using std::chrono::milliseconds;

constexpr PathId kRelayPath = std::numeric_limits<PathId>::max();
constexpr auto kRetransmit = milliseconds(200);
constexpr auto kRound = milliseconds(100);
constexpr auto kRefresh = std::chrono::seconds(10);
constexpr auto kLinger = milliseconds(300);
constexpr auto kLivenessWait = std::chrono::milliseconds(1500);
constexpr int kPredictPorts = 8;

class UdpPeer {
  public:
    explicit UdpPeer(const ConnectOptions& o)
        : o_(o), socket_({Ipv4{0}, o.local_port}), start_(Clock::now()) {}

    nlohmann::json run() {
        if (o_.predict) measure_port_step();
        self_.private_endpoints = local_endpoints(socket_.local().port);
        self_.use_private = o_.use_private;
        self_.predict_count = o_.predict ? kPredictPorts : 0;
        const Time deadline = start_ + o_.timeout;
        if (!connect_until(deadline)) {
            if (fatal_) return failed(o_, *fatal_);
            if (!mapped_)
                return failed(o_, fmt::format("no answer from the server {}", o_.server.str()));
            if (!session_)
                return failed(o_, fmt::format("{} did not register with the server within {}",
                                              o_.target, format_duration(o_.timeout)));
            return failed(
                o_, fmt::format("no path to {} within {}{}", o_.target, format_duration(o_.timeout),
                                o_.relay ? "" : " (relay disabled)"));
        }
        pump_until(Clock::now() + (session_->controlling() ? kLinger : milliseconds(0)));
        const PathId chosen = *session_->chosen();
        const auto kind = chosen == kRelayPath ? punch::PathKind::relay : paths_[chosen].kind;
        const stun::Endpoint remote = chosen == kRelayPath ? o_.server : paths_[chosen].endpoint;
        const stun::Endpoint local{route_source(remote).ip, socket_.local().port};
        nlohmann::json out = connected(o_, *session_, kind, local, remote);
        if (mapped_) out["mapped"] = mapped_->str();
        if (port_step_ != 0) out["port_step"] = port_step_;
        out["rejected_paths"] = session_->rejections();
        if (o_.hold > Duration::zero()) {
            const bool alive = hold(chosen);
            out["held_ms"] = std::chrono::duration_cast<milliseconds>(o_.hold).count();
            if (!alive) {
                out["result"] = "failed";
                out["error"] = fmt::format(
                    "the path went silent during the {} hold{}", format_duration(o_.hold),
                    o_.keepalive > Duration::zero() ? "" : " (no keepalives)");
            }
        }
        return out;
    }

  private:
    const ConnectOptions& o_;
    UdpSocket socket_;
    punch::Identity identity_;
    Time start_;
    punch::SelfView self_;
    int32_t port_step_ = 0;
    std::optional<stun::Endpoint> mapped_;
    stun::TransactionId register_tx_{};
    std::optional<std::string> fatal_;
    std::optional<punch::Session> session_;
    std::vector<punch::Candidate> paths_;  ///< by PathId: candidates, then peer-reflexive ones
    std::vector<bool> reported_;           ///< a rejection already logged, by PathId
    bool reversal_ = false;
    std::optional<Time> ping_seen_;

    /// Registers, asks for the other peer, punches; true once the session is complete.
    bool connect_until(Time deadline) {
        Time next_register = start_;
        Time next_connect = start_;
        Time next_round = Time::max();
        Time next_reversal = Time::max();
        while (!fatal_ && !(session_ && session_->complete())) {
            const Time now = Clock::now();
            if (now >= deadline) return false;
            if (now >= next_register) {
                send_register();
                next_register = now + (mapped_ ? kRefresh : kRetransmit);
            }
            if (mapped_ && !session_ && now >= next_connect) {
                send_to_server(
                    punch::to_message(punch::Connect{o_.target}, stun::new_transaction_id()));
                next_connect = now + kRetransmit;
            }
            if (session_ && next_round == Time::max()) {
                next_round = now;
                if (reversal_) next_reversal = now;
            }
            if (now >= next_round) {
                punch_round(now);
                next_round = now + kRound;
            }
            if (now >= next_reversal) {
                // The seed's connection reversal: the public side asks the
                // server to have the other side come to it.
                send_to_server(punch::to_message(punch::Reversal{o_.target}));
                next_reversal = now + milliseconds(500);
            }
            const Time wake =
                std::min({next_register, next_connect, next_round, next_reversal, deadline});
            receive_once(wake);
            if (mapped_ && !session_) next_round = Time::max();
        }
        return !fatal_;
    }

    void receive_once(Time until) {
        const auto wait = std::chrono::duration_cast<milliseconds>(until - Clock::now());
        auto d = socket_.receive(std::max(wait, milliseconds(0)));
        if (d) handle(*d);
    }

    void pump_until(Time until) {
        while (Clock::now() < until) receive_once(until);
    }

    void send_register() {
        register_tx_ = stun::new_transaction_id();
        punch::Register r{o_.id, identity_.public_key(), self_.private_endpoints, port_step_};
        send_to_server(punch::to_message(r, register_tx_));
    }

    void send_to_server(const stun::Message& m) { socket_.send_to(o_.server, stun::encode(m)); }

    void send(PathId path, const punch::Punch& p) {
        if (!p.payload.empty()) session_->note_payload_sent(Clock::now());
        const auto bytes = stun::encode(punch::to_message(p));
        if (path == kRelayPath) {
            send_to_server(punch::to_message(punch::Relay{o_.target, bytes}));
        } else {
            socket_.send_to(paths_[path].endpoint, bytes);
        }
    }

    void punch_round(Time now) {
        for (PathId i = 0; i < paths_.size(); ++i) {
            if (!session_->rejected(i)) send(i, session_->message(i));
        }
        if (o_.relay && now - session_->introduced() >= o_.punch_timeout)
            send(kRelayPath, session_->message(kRelayPath));
    }

    void handle(const UdpSocket::Datagram& d) {
        auto decoded = stun::decode(d.bytes);
        auto* m = std::get_if<stun::Message>(&decoded);
        if (!m) {
            log::debug("ignored {} bytes from {}: {}", d.bytes.size(), d.from.str(),
                       std::get<std::string>(decoded));
            return;
        }
        if (d.from == o_.server) {
            handle_server(*m);
        } else if (auto p = punch::punch_from(*m)) {
            handle_punch(path_for(d.from), *p);
        }
    }

    void handle_server(const stun::Message& m) {
        if (m.method == punch::method::register_peer && m.transaction == register_tx_) {
            if (m.cls == stun::Class::success && m.mapped()) {
                if (!mapped_)
                    log::info("{}: registered, public endpoint {}", o_.id, m.mapped()->str());
                mapped_ = m.mapped();
                self_.public_endpoint = *mapped_;
            } else if (m.cls == stun::Class::error) {
                fatal_ = fmt::format("the server refused the registration: {}", error_text(m));
            }
        } else if (m.method == punch::method::connect && m.cls == stun::Class::error) {
            // 404: the other peer has not registered yet; keep asking.
            if (m.error_code() != 404)
                fatal_ = fmt::format("the server refused the introduction: {}", error_text(m));
        } else if (auto intro = punch::introduction_from(m)) {
            on_introduction(*intro);
        } else if (auto relay = punch::relay_from(m)) {
            if (relay->peer != o_.target) return;
            auto inner = stun::decode(relay->data);
            auto* im = std::get_if<stun::Message>(&inner);
            if (auto p = im ? punch::punch_from(*im) : std::nullopt) handle_punch(kRelayPath, *p);
        } else if (auto rev = punch::reversal_from(m)) {
            log::info("{}: {} asks for a connection reversal", o_.id, rev->peer);
            if (session_ && !session_->complete()) punch_round(Clock::now());
        }
    }

    static std::string error_text(const stun::Message& m) {
        const stun::Attribute* a = m.find(stun::attr::error_code);
        if (!a || a->value.size() < 4) return "no ERROR-CODE";
        return fmt::format("{} {}", *m.error_code(),
                           std::string(a->value.begin() + 4, a->value.end()));
    }

    void on_introduction(const punch::Introduction& intro) {
        if (session_ || intro.peer != o_.target) return;
        session_.emplace(identity_, o_.id, intro, Clock::now());
        paths_ = punch::candidates(self_, intro);
        reported_.assign(paths_.size(), false);
        reversal_ = punch::reversal_case(self_, intro) &&
                    punch::is_public(self_.private_endpoints, self_.public_endpoint);
        std::string list;
        for (const auto& c : paths_)
            list += fmt::format(" {}({})", c.endpoint.str(), punch::path_name(c.kind));
        log::info("{}: introduced to {} (public {}), candidates:{}", o_.id, intro.peer,
                  intro.public_endpoint.str(), list);
    }

    PathId path_for(const stun::Endpoint& from) {
        for (PathId i = 0; i < paths_.size(); ++i) {
            if (paths_[i].endpoint == from) return i;
        }
        if (!session_) return kRelayPath;
        paths_.push_back({from, punch::classify(self_, session_->other(), paths_, from)});
        reported_.push_back(false);
        log::debug("{}: peer-reflexive candidate {}", o_.id, from.str());
        return paths_.size() - 1;
    }

    void handle_punch(PathId path, const punch::Punch& p) {
        if (!session_) return;
        const auto outcome = session_->receive(path, p, Clock::now());
        if (outcome.verdict == punch::Session::Verdict::rejected) {
            if (path != kRelayPath && !reported_[path]) {
                reported_[path] = true;
                log::warning("{}: rejected {}: it claims to be {} but its proof does not check",
                             o_.id, paths_[path].endpoint.str(), o_.target);
            }
            return;
        }
        if (outcome.pong) ping_seen_ = Clock::now();
        if (!outcome.reply) return;
        punch::Punch reply = session_->message(path);
        if (outcome.pong) reply.flags |= punch::flag::pong;
        send(path, reply);
    }

    /// Keeps the chosen path for the hold, then checks it still carries a
    /// ping (controlling side) or a ping arrives (other side).
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
            pump_until(o_.keepalive > Duration::zero() ? std::min(end, next_keepalive) : end);
        }
        const Time asked = Clock::now();
        const Time give_up = asked + kLivenessWait;
        Time next_ping = asked;
        while (Clock::now() < give_up) {
            if (session_->controlling()) {
                if (session_->last_pong() && *session_->last_pong() >= asked) return true;
                if (Clock::now() >= next_ping) {
                    punch::Punch ping = session_->message(chosen);
                    ping.flags |= punch::flag::ping;
                    send(chosen, ping);
                    next_ping += kRound;
                }
            } else if (ping_seen_ && *ping_seen_ >= asked) {
                pump_until(Clock::now() + kLinger);  // answer the pings that follow
                return true;
            }
            pump_until(std::min(give_up, next_ping));
            if (!session_->controlling()) next_ping += kRound;
        }
        return false;
    }

    /// Port prediction needs the NAT's step: two fresh sockets then the main
    /// one ask the server for their mapping. On a sequential NAT the three
    /// ports are evenly spaced; the step is that spacing.
    void measure_port_step() {
        UdpSocket first({Ipv4{0}, 0});
        UdpSocket second({Ipv4{0}, 0});
        const auto wait = std::chrono::seconds(1);
        auto m1 = binding(first, o_.server, wait);
        auto m2 = binding(second, o_.server, wait);
        auto m3 = binding(socket_, o_.server, wait);
        if (!m1 || !m2 || !m3) return;
        const int step = m3->port - m2->port;
        if (m3->port != socket_.local().port && step != 0 && m2->port - m1->port == step &&
            std::abs(step) <= punch::kMaxPortStep)
            port_step_ = step;
        log::info("{}: mappings {} {} {}: {}", o_.id, m1->port, m2->port, m3->port,
                  port_step_ ? fmt::format("sequential, step {}", port_step_)
                             : std::string("no sequence"));
    }
};

}  // namespace

nlohmann::json connect_udp(const ConnectOptions& options) {
    return UdpPeer(options).run();
}

}  // namespace testbed::programs
