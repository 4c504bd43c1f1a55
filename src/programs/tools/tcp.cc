// testbed-tcp: the steps the small-TTL TCP techniques are made of, one at a
// time, so a topology can show what a router does with each
// (topologies/nat/tcp/). Each prints one JSON line and exits 0 once the
// step ran; the outcome is in "result". Exit 2 on a usage or system error.
//
//   testbed-tcp connect ADDRESS:PORT [--from PORT] [--ttl N] [--timeout 3s]
//         [--send-sequence]
//       one connect: "connected", "refused" (a reset, or ICMP port
//       unreachable), "unreachable" (another ICMP error, e.g. time
//       exceeded: Linux ends a connect on any ICMP error while the SYN is
//       unanswered) or "timeout"; "by" names what came back. --send-sequence: learn the SYN's
//       sequence number (packet socket) and send it as "isn N" once connected.
//   testbed-tcp listen PORT [--timeout 5s] [--report-sequence]
//       one accept: "accepted" with "from", or "timeout". --report-sequence:
//       watch the SYN arrive (packet socket), read the sender's "isn N" and
//       report both and the "shift" between them (what a NAT did to them).
//   testbed-tcp half-open ADDRESS:PORT --from PORT --ttl N [--socket close|keep]
//         [--timeout 5s]
//       STUNT #2's side A: a SYN with TTL N from PORT that should die past
//       the own NAT ("syn_error" says what came back), then one accept on
//       PORT: "accepted" (with "via": the listener, or the connecting socket
//       by simultaneous open) or "timeout" ("via": "none"). The connecting
//       socket is closed as STUNT #2 does, unless --socket keep. Prints
//       "syn sent" on stderr when the SYN is out.
//   testbed-tcp synack ADDRESS:PORT --from PORT --ttl N [--ack N]
//       NATBlaster's outbound half: a SYN with TTL N, then by raw socket the
//       SYN-ACK of it (its own sequence number, acknowledging --ack).
//       "sent" with "isn".
//   testbed-tcp watch PORT [--timeout 5s]
//       the first segment with SYN set arriving for PORT: "seen" with
//       "from", "flags" (S or SA), "seq", or "timeout". Prints "watching"
//       on stderr when it is.
//   testbed-tcp spoof ADDRESS:PORT --as ADDRESS:PORT [--seq N] [--ack N]
//       what the STUNT #1 spoofer sends: a SYN-ACK from a forged source.

#include "programs/net/tcp.h"

#include <fmt/core.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <array>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "base/duration.h"
#include "base/error.h"
#include "programs/net/sockaddr.h"
#include "programs/net/tcp_raw.h"

namespace {

using namespace testbed;
using programs::SeenSegment;
using Json = nlohmann::json;
using Ms = std::chrono::milliseconds;

constexpr Ms kSynSeen{1000};

std::string errno_word(int err) {
    switch (err) {
        case 0:
            return "none";
        case ECONNREFUSED:
            return "ECONNREFUSED";
        case EHOSTUNREACH:
            return "EHOSTUNREACH";
        case ENETUNREACH:
            return "ENETUNREACH";
        case ETIMEDOUT:
            return "ETIMEDOUT";
        default:
            return std::strerror(err);
    }
}

std::string outcome_of(int err) {
    if (err == 0) return "connected";
    if (err == ECONNREFUSED) return "refused";
    return "unreachable";
}

/// Waits until a nonblocking connect ends; its error, or nullopt on timeout.
std::optional<int> connect_result(int fd, Ms timeout) {
    pollfd p{fd, POLLOUT, 0};
    if (::poll(&p, 1, static_cast<int>(timeout.count())) != 1) return std::nullopt;
    return programs::socket_error(fd);
}

/// A socket on `from` that has sent its SYN to `to` with `ttl` (0: the
/// default), and that SYN's sequence number when `watch` is given.
struct SentSyn {
    Fd fd;
    std::optional<uint32_t> isn;
};

SentSyn send_syn(const stun::Endpoint& from, const stun::Endpoint& to, int ttl,
                 programs::SegmentWatch* watch, bool restore_ttl) {
    SentSyn out{programs::tcp_bound_socket(from), std::nullopt};
    if (ttl > 0) programs::set_ttl(out.fd.get(), ttl);
    if (!programs::tcp_start_connect(out.fd.get(), to))
        throw_errno(fmt::format("connect({})", to.str()));
    if (watch) {
        const uint16_t port = programs::socket_name(out.fd.get()).port;
        const auto syn = watch->next(
            [&](const SeenSegment& s) { return programs::is_syn_sent(s, port, to); }, kSynSeen);
        if (!syn) throw Error("the SYN this host sent was not seen on any interface");
        out.isn = syn->seq;
    }
    // The kernel retransmits the SYN with the socket's TTL of the moment:
    // restored, a retransmission goes all the way; kept, every SYN dies.
    if (ttl > 0 && restore_ttl) programs::set_ttl(out.fd.get(), programs::kDefaultTtl);
    return out;
}

/// What ended a connect: the reset or the ICMP message that came back.
std::string refused_by(programs::SegmentWatch& watch, uint16_t port) {
    const auto seen = watch.next(
        [&](const SeenSegment& s) {
            return s.icmp_type || (s.to.port == port && (s.flags & programs::tcp_flag::rst) != 0);
        },
        Ms{0});  // already queued on the packet socket
    if (!seen) return "unknown";
    if (!seen->icmp_type) return "rst";
    if (*seen->icmp_type == 11) return "icmp time-exceeded";
    if (*seen->icmp_type == 3 && seen->icmp_code == 3) return "icmp port-unreachable";
    return fmt::format("icmp type {} code {}", *seen->icmp_type, seen->icmp_code);
}

Json connect_step(const stun::Endpoint& to, uint16_t from, int ttl, Ms timeout, bool send_seq) {
    programs::SegmentWatch watch;
    SentSyn syn = send_syn({Ipv4{0}, from}, to, ttl, send_seq ? &watch : nullptr, false);
    const auto err = connect_result(syn.fd.get(), timeout);
    Json out{{"result", err ? outcome_of(*err) : "timeout"}};
    if (err && *err != 0) {
        out["errno"] = errno_word(*err);
        out["by"] = refused_by(watch, programs::socket_name(syn.fd.get()).port);
    }
    if (syn.isn) out["isn"] = *syn.isn;
    if (err && *err == 0 && syn.isn) {
        const std::string line = fmt::format("isn {}\n", *syn.isn);
        if (::send(syn.fd.get(), line.data(), line.size(), MSG_NOSIGNAL) < 0) throw_errno("send");
        // Wait for the other side to close, so it has read the line.
        std::array<char, 64> sink{};
        pollfd p{syn.fd.get(), POLLIN, 0};
        if (::poll(&p, 1, static_cast<int>(timeout.count())) == 1)
            (void)::recv(syn.fd.get(), sink.data(), sink.size(), 0);
    }
    return out;
}

/// Reads "isn N" from a fresh connection.
std::optional<uint32_t> read_isn(int fd, Ms timeout) {
    std::array<char, 64> buffer{};
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(timeout.count())) != 1) return std::nullopt;
    const ssize_t n = ::recv(fd, buffer.data(), buffer.size() - 1, 0);
    unsigned long value = 0;
    if (n <= 0 || std::sscanf(buffer.data(), "isn %lu", &value) != 1) return std::nullopt;
    return static_cast<uint32_t>(value);
}

Json listen_step(uint16_t port, Ms timeout, bool report_seq) {
    std::optional<programs::SegmentWatch> watch;
    if (report_seq) watch.emplace();
    const Fd listener = programs::tcp_listen({Ipv4{0}, port});
    pollfd p{listener.get(), POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(timeout.count())) != 1) return Json{{"result", "timeout"}};
    const Fd conn(::accept(listener.get(), nullptr, nullptr));
    if (!conn.valid()) throw_errno("accept");
    const stun::Endpoint from = programs::peer_name(conn.get());
    Json out{{"result", "accepted"}, {"from", from.str()}};
    if (!watch) return out;
    const auto syn = watch->next(
        [&](const SeenSegment& s) {
            return s.from == from && s.to.port == port && s.flags == programs::tcp_flag::syn;
        },
        Ms{0});  // already queued on the packet socket
    const auto sent = read_isn(conn.get(), timeout);
    if (!syn || !sent)
        throw Error("--report-sequence: the SYN or the sender's 'isn' line is missing");
    out["seq_seen"] = syn->seq;
    out["seq_sent"] = *sent;
    out["shift"] = static_cast<uint32_t>(syn->seq - *sent);
    return out;
}

Json half_open_step(const stun::Endpoint& to, uint16_t from, int ttl, bool keep, Ms timeout) {
    const Fd listener = programs::tcp_listen({Ipv4{0}, from}, /*reuse_port=*/true);
    // Restored at once: the socket may still answer the other side's SYN
    // (simultaneous open), and that answer must go all the way.
    SentSyn syn = send_syn({Ipv4{0}, from}, to, ttl, nullptr, true);
    // What came back for the SYN (the ICMP error ends it at once, if one came).
    const auto err = connect_result(syn.fd.get(), Ms{300});
    Json out{{"syn_error", errno_word(err.value_or(0))}, {"via", "none"}};
    fmt::print(stderr, "syn sent\n");
    // A socket an ICMP error ended is gone whatever --socket says (and
    // SO_ERROR, once read, no longer tells).
    if (!keep || (err && *err != 0)) syn.fd.reset();
    std::array<pollfd, 2> polls{{{listener.get(), POLLIN, 0}, {syn.fd.get(), POLLOUT, 0}}};
    const int n = ::poll(polls.data(), syn.fd.valid() ? 2 : 1, static_cast<int>(timeout.count()));
    if (n > 0 && (polls[0].revents & POLLIN) != 0) {
        const Fd conn(::accept(listener.get(), nullptr, nullptr));
        out["result"] = conn.valid() ? "accepted" : "timeout";
        out["via"] = "listener";
    } else if (n > 0 && programs::socket_error(syn.fd.get()) == 0 &&
               programs::peer_name(syn.fd.get()).port != 0) {
        out["result"] = "accepted";
        out["via"] = "connect";
    } else {
        out["result"] = "timeout";
    }
    return out;
}

/// What the STUNT #1 spoofer sends: a SYN-ACK from a forged source.
Json spoof_step(const stun::Endpoint& to, const stun::Endpoint& as, uint32_t seq, uint32_t ack) {
    programs::TcpSegmentSpec spec;
    spec.from = as;
    spec.to = to;
    spec.seq = seq;
    spec.ack = ack;
    spec.flags = programs::tcp_flag::syn | programs::tcp_flag::ack;
    programs::send_tcp_segment(spec);
    return Json{{"result", "sent"}};
}

Json synack_step(const stun::Endpoint& to, uint16_t from, int ttl, uint32_t ack) {
    programs::SegmentWatch watch;
    SentSyn syn = send_syn({Ipv4{0}, from}, to, ttl, &watch, true);
    programs::TcpSegmentSpec spec;
    // After connect the socket's name holds the source address the kernel
    // chose: the raw segment must carry the same.
    spec.from = programs::socket_name(syn.fd.get());
    spec.to = to;
    spec.seq = *syn.isn;
    spec.ack = ack;
    spec.flags = programs::tcp_flag::syn | programs::tcp_flag::ack;
    programs::send_tcp_segment(spec);
    return Json{{"result", "sent"}, {"isn", *syn.isn}};
}

Json watch_step(uint16_t port, Ms timeout) {
    programs::SegmentWatch watch;
    fmt::print(stderr, "watching\n");
    const auto s = watch.next(
        [&](const SeenSegment& seg) {
            return seg.to.port == port && (seg.flags & programs::tcp_flag::syn) != 0;
        },
        timeout);
    if (!s) return Json{{"result", "timeout"}};
    const bool ack = (s->flags & programs::tcp_flag::ack) != 0;
    return Json{
        {"result", "seen"}, {"from", s->from.str()}, {"flags", ack ? "SA" : "S"}, {"seq", s->seq}};
}

stun::Endpoint endpoint_option(const std::string& text) {
    const auto e = stun::Endpoint::parse(text);
    if (!e) throw Error(fmt::format("'{}': expected ADDRESS:PORT", text));
    return *e;
}

int run(int argc, char** argv) {
    CLI::App app{"testbed-tcp: the steps of the small-TTL TCP techniques, one at a time"};
    app.require_subcommand(1);
    std::string target;
    std::string timeout_text = "5s";
    int from = 0;
    int port = 0;
    int ttl = 0;
    uint32_t ack = 0;
    bool flag = false;
    auto* connect = app.add_subcommand("connect", "one connect");
    auto* listen = app.add_subcommand("listen", "one accept");
    auto* half_open = app.add_subcommand("half-open", "STUNT #2's side A");
    auto* synack = app.add_subcommand("synack", "a SYN, then its SYN-ACK by raw socket");
    auto* watch = app.add_subcommand("watch", "the first SYN or SYN-ACK arriving for a port");
    auto* spoof = app.add_subcommand("spoof", "a SYN-ACK from a forged source");
    std::string as_text;
    uint32_t seq = 0;
    spoof->add_option("target", target, "ADDRESS:PORT")->required();
    spoof->add_option("--as", as_text, "the forged source ADDRESS:PORT")->required();
    spoof->add_option("--seq", seq, "its sequence number");
    spoof->add_option("--ack", ack, "its acknowledgment number");
    std::string socket_mode = "close";
    for (auto* sub : {connect, half_open, synack}) {
        sub->add_option("target", target, "ADDRESS:PORT")->required();
        sub->add_option("--from", from, "local port")->check(CLI::Range(0, 65535));
        sub->add_option("--ttl", ttl, "TTL of the SYN")->check(CLI::Range(1, 255));
    }
    for (auto* sub : {listen, watch})
        sub->add_option("port", port)->required()->check(CLI::Range(1, 65535));
    for (auto* sub : {connect, listen, half_open, watch})
        sub->add_option("--timeout", timeout_text);
    connect->add_flag("--send-sequence", flag, "send the SYN's sequence number once connected");
    listen->add_flag("--report-sequence", flag,
                     "compare the SYN's sequence number with the sender's");
    half_open
        ->add_option("--socket", socket_mode, "close the connecting socket (STUNT #2) or keep it")
        ->check(CLI::IsMember({"close", "keep"}));
    synack->add_option("--ack", ack, "the SYN-ACK's acknowledgment number");
    for (auto* sub : {half_open, synack}) {
        sub->get_option("--from")->required();
        sub->get_option("--ttl")->required();
    }
    CLI11_PARSE(app, argc, argv);
    try {
        const Ms timeout = duration_option(timeout_text, "--timeout");
        const auto local = static_cast<uint16_t>(from);
        Json out;
        if (connect->parsed())
            out = connect_step(endpoint_option(target), local, ttl, timeout, flag);
        else if (listen->parsed())
            out = listen_step(static_cast<uint16_t>(port), timeout, flag);
        else if (half_open->parsed())
            out =
                half_open_step(endpoint_option(target), local, ttl, socket_mode == "keep", timeout);
        else if (spoof->parsed())
            out = spoof_step(endpoint_option(target), endpoint_option(as_text), seq, ack);
        else if (synack->parsed())
            out = synack_step(endpoint_option(target), local, ttl, ack);
        else
            out = watch_step(static_cast<uint16_t>(port), timeout);
        fmt::print("{}\n", out.dump());
        return 0;
    } catch (const std::exception& e) {
        fmt::print(stderr, "testbed-tcp: {}\n", e.what());
        return 2;
    }
}

}  // namespace

int main(int argc, char** argv) {
    return testbed::guarded_main("testbed-tcp", argc, argv, run);
}
