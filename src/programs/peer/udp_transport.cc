#include "programs/peer/udp_transport.h"

#include "base/log.h"
#include "programs/net/stun_client.h"
#include "programs/peer/core.h"
#include "punch/protocol.h"

namespace testbed::programs {

UdpTransport::UdpTransport(const ConnectOptions& options)
    : o_(options), socket_({Ipv4{0}, options.local_port}), port_(socket_.local().port) {}

PeerTransport::Pacing UdpTransport::pacing() const {
    return {milliseconds(200), std::chrono::seconds(10), milliseconds(200),
            milliseconds(100), milliseconds(500),        false};
}

std::optional<std::string> UdpTransport::start(PeerCore& core, Time) {
    core_ = &core;
    if (o_.predict) measure_port_step(core);
    return std::nullopt;
}

/// Port prediction needs the NAT's step: fresh sockets, then the main one,
/// ask the server for their mapping.
void UdpTransport::measure_port_step(PeerCore& core) {
    const auto wait = std::chrono::seconds(1);
    std::vector<int> ports;
    for (int i = 0; i < kFreshMappingsForStep; ++i) {
        UdpSocket fresh({Ipv4{0}, 0});
        auto mapped = binding(fresh, o_.server, wait);
        if (!mapped) return;
        ports.push_back(mapped->port);
    }
    auto own = binding(socket_, o_.server, wait);
    if (!own) return;
    ports.push_back(own->port);
    port_step_ = port_step_from(core.id(), ports, port_);
}

void UdpTransport::introduced(const std::vector<punch::Candidate>& candidates, bool) {
    // The public side of a reversal keeps punching too: a datagram costs nothing.
    for (const auto& c : candidates) {
        core_->open_path(c.kind);
        paths_.push_back(c.endpoint);
    }
}

bool UdpTransport::reversal_requested(Time) {
    return true;
}

void UdpTransport::send_server(const stun::Message& m) {
    socket_.send_to(o_.server, stun::encode(m));
}

void UdpTransport::send_path(PathId path, std::span<const uint8_t> bytes) {
    if (path < paths_.size()) socket_.send_to(paths_[path], bytes);
}

void UdpTransport::pump(PeerCore& core, Time until) {
    const auto wait = std::chrono::duration_cast<milliseconds>(until - punch::Clock::now());
    auto d = socket_.receive(std::max(wait, milliseconds(0)));
    if (!d) return;
    auto decoded = stun::decode(d->bytes);
    auto* m = std::get_if<stun::Message>(&decoded);
    if (!m) {
        log::debug("ignored {} bytes from {}: {}", d->bytes.size(), d->from.str(),
                   std::get<std::string>(decoded));
        return;
    }
    if (d->from == o_.server) {
        core.on_server(*m);
        return;
    }
    auto p = punch::punch_from(*m);
    if (!p || !core.introduced()) return;
    auto known = std::find(paths_.begin(), paths_.end(), d->from);
    PathId path = static_cast<PathId>(known - paths_.begin());
    if (known == paths_.end()) {
        path = core.open_reflexive_path(d->from);
        paths_.push_back(d->from);
    }
    core.on_punch(path, *p);
}

std::pair<stun::Endpoint, stun::Endpoint> UdpTransport::ends(PathId path) const {
    const stun::Endpoint remote = path == kRelayPath ? o_.server : paths_.at(path);
    return {{route_source(remote).ip, port_}, remote};
}

}  // namespace testbed::programs
