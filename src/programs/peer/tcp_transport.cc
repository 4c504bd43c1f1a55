#include "programs/peer/tcp_transport.h"

#include <fmt/core.h>
#include <poll.h>
#include <sys/socket.h>

#include <cstring>

#include "base/error.h"
#include "base/log.h"
#include "programs/peer/core.h"
#include "programs/peer/hop_probe.h"
#include "punch/protocol.h"

namespace testbed::programs {
namespace {

constexpr auto kRetry = milliseconds(100);

int poll_ms(Time until) {
    const auto wait = std::chrono::duration_cast<milliseconds>(until - Clock::now());
    return static_cast<int>(std::clamp<int64_t>(wait.count(), 0, 60'000));
}

/// How long a hop probe waits for its answer (a reset or an ICMP error).
constexpr auto kHopProbeWait = milliseconds(500);

/// A Binding over `stream`: the endpoint the server sees.
std::optional<stun::Endpoint> mapped_endpoint(StunStream& stream, Time deadline) {
    stun::Message request;
    request.transaction = stun::new_transaction_id();
    if (!stream.write(stun::encode(request))) return std::nullopt;
    while (Clock::now() < deadline) {
        pollfd in{stream.fd(), POLLIN, 0};
        if (::poll(&in, 1, 1000) <= 0) return std::nullopt;
        std::string why;
        for (const auto& m : stream.read(why)) {
            if (m.transaction == request.transaction && m.mapped()) return m.mapped();
        }
        if (!why.empty()) return std::nullopt;
    }
    return std::nullopt;
}

std::optional<uint16_t> mapped_port(StunStream& stream, Time deadline) {
    auto mapped = mapped_endpoint(stream, deadline);
    return mapped ? std::optional(mapped->port) : std::nullopt;
}

}  // namespace

PeerTransport::Pacing TcpTransport::pacing() const {
    // A stream delivers the registration: it is only refreshed.
    return {std::chrono::seconds(10), std::chrono::seconds(10), milliseconds(250),
            milliseconds(500),        milliseconds(500),        true};
}

std::optional<uint16_t> TcpTransport::mapped_port_of_fresh_connection(Time deadline) {
    Fd fd = tcp_bound_socket({Ipv4{0}, 0});
    if (!tcp_start_connect(fd.get(), o_.server)) return std::nullopt;
    pollfd p{fd.get(), POLLOUT, 0};
    if (::poll(&p, 1, 1000) <= 0 || socket_error(fd.get()) != 0) return std::nullopt;
    StunStream stream(std::move(fd));
    return mapped_port(stream, deadline);
}

std::optional<std::string> TcpTransport::start(PeerCore& core, Time deadline) {
    core_ = &core;
    // As for UDP: fresh connections before the main one, then the main
    // one; on a sequential NAT the mapped ports are evenly spaced.
    std::vector<int> ports;
    for (int i = 0; o_.predict && i < kFreshMappingsForStep; ++i) {
        auto port = mapped_port_of_fresh_connection(deadline);
        if (!port) break;
        ports.push_back(*port);
    }
    if (!connect_server(deadline))
        return fmt::format("no TCP connection to the server {} within {}", o_.server.str(),
                           format_duration(o_.timeout));
    if (ports.size() == kFreshMappingsForStep) {
        if (auto own = mapped_port(*server_, deadline)) {
            ports.push_back(*own);
            port_step_ =
                port_step_from(fmt::format("{} (tcp)", core.id()), ports, server_->local().port);
        }
    }
    listener_ = tcp_listen({Ipv4{0}, server_->local().port}, true);
    if (o_.technique != punch::Technique::p2pnat) return start_technique(deadline);
    return std::nullopt;
}

std::optional<std::string> TcpTransport::start_technique(Time deadline) {
    const std::string_view name = punch::technique_name(o_.technique);
    try {
        technique_ = std::make_unique<TcpTechniqueRun>(o_.technique, o_.id, o_.target,
                                                       server_->local().port);
    } catch (const Error& e) {
        return fmt::format("--technique {} needs CAP_NET_RAW (superuser privileges): {}", name,
                           e.what());
    }
    if (!punch::traits(o_.technique).small_ttl) return std::nullopt;
    if (o_.ttl) {
        technique_->set_syn_ttl(*o_.ttl);
        return std::nullopt;
    }
    const auto mapped = mapped_endpoint(*server_, deadline);
    if (!mapped) return "no Binding answer from the server: no public address to count hops to";
    hops_ = measure_hops(mapped->ip, kHopProbeWait);
    if (!hops_)
        return fmt::format(
            "no SYN with a TTL up to {} reached our public address {}: the hop count is "
            "unknown (give --ttl N)",
            kMaxHops, mapped->ip.str());
    log::info("{}: {} router(s) up to our public address {}: SYNs with TTL {}", o_.id, hops_->hops,
              mapped->ip.str(), hops_->ttl);
    technique_->set_syn_ttl(hops_->ttl);
    return std::nullopt;
}

void TcpTransport::collect_technique() {
    if (auto syn = technique_->take_message()) send_server(punch::to_message(*syn));
    if (auto fd = technique_->take_connection())
        add_path(std::move(*fd), punch::PathKind::public_nat, false);
}

void TcpTransport::on_syn(const punch::Syn& syn) {
    if (!technique_) return;
    technique_->on_peer_syn(syn, Clock::now());
    collect_technique();
}

bool TcpTransport::connect_server(Time deadline) {
    Fd fd = tcp_bound_socket({Ipv4{0}, o_.local_port});
    if (!tcp_start_connect(fd.get(), o_.server)) {
        log::error("{}: connect({}): {}", o_.id, o_.server.str(), std::strerror(errno));
        return false;
    }
    pollfd p{fd.get(), POLLOUT, 0};
    if (::poll(&p, 1, poll_ms(deadline)) <= 0) return false;
    if (const int err = socket_error(fd.get())) {
        log::error("{}: connect({}): {}", o_.id, o_.server.str(), std::strerror(err));
        return false;
    }
    server_ = std::make_unique<StunStream>(std::move(fd));
    return true;
}

void TcpTransport::introduced(const std::vector<punch::Candidate>& candidates, bool passive) {
    // Connections the other side opened before this introduction came: the
    // kernel will refuse our own connect to the same address and port (the
    // pair is taken), so these are the paths.
    for (auto& fd : std::exchange(early_, {})) accept_path(std::move(fd));
    if (technique_) {
        // The techniques aim at the mapping the server sees: the public candidate.
        for (const auto& c : candidates) {
            if (c.kind != punch::PathKind::public_nat) continue;
            technique_->introduced(c.endpoint, Clock::now());
            break;
        }
        collect_technique();
        return;
    }
    candidates_ = candidates;
    retry_at_.assign(candidates_.size(), Clock::now());
    passive_ = passive;
}

bool TcpTransport::reversal_requested(Time now) {
    for (auto& t : retry_at_) {
        if (t != Time::max()) t = now;
    }
    return false;
}

void TcpTransport::send_server(const stun::Message& m) {
    if (!server_->write(stun::encode(m))) core_->lost_server("lost the connection to the server");
}

void TcpTransport::send_path(PathId path, std::span<const uint8_t> bytes) {
    auto it = paths_.find(path);
    if (it == paths_.end()) return;
    Path& conn = it->second;
    if (conn.open && !conn.stream->write(bytes)) conn.open = false;
}

void TcpTransport::close_path(PathId path) {
    if (auto it = paths_.find(path); it != paths_.end()) it->second.open = false;
}

Time TcpTransport::next_wake() const {
    Time wake = technique_ ? technique_->next_wake() : Time::max();
    for (Time t : retry_at_) wake = std::min(wake, t);
    return wake;
}

/// Connects to every candidate not connecting or connected, when its retry time has come.
void TcpTransport::start_attempts(Time now) {
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

void TcpTransport::pump(PeerCore&, Time until) {
    start_attempts(Clock::now());
    if (technique_) {
        technique_->on_time(Clock::now());
        collect_technique();
    }
    std::vector<pollfd> fds{{server_->fd(), POLLIN, 0}, {listener_.get(), POLLIN, 0}};
    for (const auto& a : attempts_) fds.push_back({a.fd.get(), POLLOUT, 0});
    std::vector<PathId> ids;
    for (const auto& [id, p] : paths_) {
        if (!p.open) continue;
        fds.push_back({p.stream->fd(), POLLIN, 0});
        ids.push_back(id);
    }
    const size_t technique_fds = fds.size();
    if (technique_) technique_->add_pollfds(fds);
    if (::poll(fds.data(), fds.size(), poll_ms(until)) <= 0) return;
    if (technique_) {
        technique_->handle(std::span(fds).subspan(technique_fds));
        collect_technique();
    }
    if (fds[0].revents) read_server();
    if (fds[1].revents & POLLIN) accept_one();
    std::vector<size_t> finished;
    for (size_t i = 0; i < attempts_.size(); ++i) {
        if (fds[2 + i].revents) finished.push_back(i);
    }
    const size_t first_path = 2 + attempts_.size();
    for (auto it = finished.rbegin(); it != finished.rend(); ++it) finish_attempt(*it);
    for (size_t i = 0; i < ids.size(); ++i) {
        if (fds[first_path + i].revents) read_path(ids[i]);
    }
}

void TcpTransport::finish_attempt(size_t index) {
    Attempt a = std::move(attempts_[index]);
    attempts_.erase(attempts_.begin() + static_cast<std::ptrdiff_t>(index));
    if (const int err = socket_error(a.fd.get())) {
        // Reset (a NAT that answers unsolicited SYNs with RST), unreachable or
        // timed out: try again shortly, the other side may have opened its NAT by then.
        log::debug("{}: connect {}: {}", o_.id, candidates_[a.candidate].endpoint.str(),
                   std::strerror(err));
        retry_at_[a.candidate] = Clock::now() + kRetry;
        return;
    }
    add_path(std::move(a.fd), candidates_[a.candidate].kind, false);
}

void TcpTransport::accept_one() {
    Fd fd(::accept4(listener_.get(), nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK));
    if (!fd.valid()) return;
    if (!core_->introduced()) {
        // The other side's SYN can beat our introduction here; keep the
        // connection until we know whom to expect on it (bounded).
        if (early_.size() < 16) early_.push_back(std::move(fd));
        return;
    }
    accept_path(std::move(fd));
}

void TcpTransport::accept_path(Fd fd) {
    const stun::Endpoint from = peer_name(fd.get());
    add_path(std::move(fd), core_->classify(from), true);
}

void TcpTransport::add_path(Fd fd, punch::PathKind kind, bool accepted) {
    auto stream = std::make_unique<StunStream>(std::move(fd));
    log::debug("{}: tcp {} {} -> {} ({})", o_.id, accepted ? "accepted" : "connected",
               stream->local().str(), stream->peer().str(), punch::path_name(kind));
    // The core numbers paths from 0 in the order they open, as this map
    // does; the path exists before the core sends its first message on it.
    const PathId id = paths_.size();
    paths_.emplace(id, Path{std::move(stream), accepted});
    core_->open_connected_path(kind);
}

void TcpTransport::read_path(PathId id) {
    Path& p = paths_.at(id);
    std::string why;
    for (const auto& m : p.stream->read(why)) {
        if (auto punch = punch::punch_from(m)) core_->on_punch(id, *punch);
    }
    if (!why.empty()) {
        log::debug("{}: path {} -> {} ended: {}", o_.id, p.stream->local().str(),
                   p.stream->peer().str(), why);
        p.open = false;
    }
}

void TcpTransport::read_server() {
    std::string why;
    for (const auto& m : server_->read(why)) core_->on_server(m);
    if (!why.empty()) core_->lost_server(fmt::format("the server connection ended: {}", why));
}

std::pair<stun::Endpoint, stun::Endpoint> TcpTransport::ends(PathId path) const {
    if (path == kRelayPath) return {server_->local(), o_.server};
    const Path& p = paths_.at(path);
    return {p.stream->local(), p.stream->peer()};
}

void TcpTransport::describe(PathId path, nlohmann::json& out) const {
    if (path != kRelayPath) out["opened"] = paths_.at(path).accepted ? "accepted" : "connected";
}

void TcpTransport::describe_attempt(nlohmann::json& out) const {
    out["technique"] = punch::technique_name(o_.technique);
    if (hops_) out["hops"] = hops_->hops;
    if (technique_) technique_->describe(out);
}

}  // namespace testbed::programs
