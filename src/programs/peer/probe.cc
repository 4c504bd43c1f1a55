#include "programs/peer/probe.h"

#include <fmt/core.h>

#include <algorithm>
#include <cmath>
#include <future>

#include "base/log.h"
#include "programs/net/stun_client.h"
#include "programs/net/udp.h"
#include "programs/portmap/mapper.h"
#include "punch/port_step.h"

namespace testbed::programs {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

UdpSocket fresh_socket() {
    return UdpSocket({Ipv4{0}, 0});
}

std::string mapping_behaviour(const ProbeOptions& o, UdpSocket& socket, const stun::Endpoint& local,
                              const stun::Endpoint& mapped1, const stun::Endpoint& other) {
    if (mapped1 == local) return "none";
    // Test II: the alternate address, primary port.
    auto two = binding_transaction(socket, {other.ip, o.server.port}, o.timeout);
    if (!two || !two->message.mapped()) return "unknown";
    if (*two->message.mapped() == mapped1) return "endpoint-independent";
    // Test III: the alternate address and port.
    auto three = binding_transaction(socket, other, o.timeout);
    if (!three || !three->message.mapped()) return "unknown";
    return *three->message.mapped() == *two->message.mapped() ? "address-dependent"
                                                              : "address-and-port-dependent";
}

/// On a socket that has talked to the primary address only, so that earlier
/// tests cannot have opened the filter.
std::string filtering_behaviour(const ProbeOptions& o, bool translated) {
    UdpSocket socket = fresh_socket();
    if (!binding_transaction(socket, o.server, o.timeout)) return "unknown";
    if (binding_transaction(socket, o.server, o.negative_wait, stun::Message::Change{true, true})) {
        return translated ? "endpoint-independent" : "none";
    }
    if (binding_transaction(socket, o.server, o.negative_wait, stun::Message::Change{false, true}))
        return "address-dependent";
    return "address-and-port-dependent";
}

/// Whether a packet sent to our own public endpoint comes back in (RFC 5780 §4.5).
bool hairpins(const ProbeOptions& o, UdpSocket& target, const stun::Endpoint& mapped) {
    UdpSocket sender = fresh_socket();
    stun::Message request;
    request.transaction = stun::new_transaction_id();
    const auto bytes = stun::encode(request);
    const auto deadline = Clock::now() + o.negative_wait;
    while (Clock::now() < deadline) {
        sender.send_to(mapped, bytes);
        auto d = target.receive(milliseconds(100));
        if (!d) continue;
        auto decoded = stun::decode(d->bytes);
        auto* m = std::get_if<stun::Message>(&decoded);
        if (m && m->transaction == request.transaction) return true;
    }
    return false;
}

/// The lowest and highest external ports seen: the first mapping's and
/// the samples'. Real NATs hand out ports from 1024 up (RFC 4787 REQ-3
/// keeps the well-known ones for well-known ports), carrier NATs from a
/// block per subscriber.
void port_bounds(int mapped, nlohmann::json& out) {
    int lowest = mapped;
    int highest = mapped;
    if (out.contains("port_samples")) {
        for (const auto& p : out["port_samples"]) {
            lowest = std::min(lowest, p.get<int>());
            highest = std::max(highest, p.get<int>());
        }
    }
    out["lowest_port"] = lowest;
    out["highest_port"] = highest;
}

/// Address pooling (RFC 4787 §4.1, which RFC 5780 has no test for): the
/// public addresses of new mappings of this one host, the first mapping's
/// and the samples'. One address for all is paired (or a NAT with one);
/// several are arbitrary pooling.
void pooling(const std::string& first, std::vector<std::string> seen, nlohmann::json& out) {
    seen.push_back(first);
    std::sort(seen.begin(), seen.end());
    seen.erase(std::unique(seen.begin(), seen.end()), seen.end());
    out["pooling"] = seen.size() == 1 ? "paired" : "arbitrary";
    out["public_addresses"] = seen;
}

/// Port assignment from punch::kStepSamples new mappings made one after the
/// other, and the addresses they left from.
void port_assignment(const ProbeOptions& o, const stun::Endpoint& mapped, nlohmann::json& out) {
    std::vector<int> ports;
    std::vector<std::string> addresses;
    bool preserved = true;
    for (int i = 0; i < punch::kStepSamples; ++i) {
        UdpSocket socket = fresh_socket();
        auto answer = binding_transaction(socket, o.server, o.timeout);
        if (!answer || !answer->message.mapped()) {
            out["ports"] = "unknown";
            return;
        }
        ports.push_back(answer->message.mapped()->port);
        addresses.push_back(answer->message.mapped()->ip.str());
        preserved = preserved && ports.back() == socket.local().port;
    }
    if (preserved) {
        out["ports"] = "preserve";
    } else if (const auto step = punch::sequential_step(ports)) {
        out["ports"] = "sequential";
        out["port_step"] = *step;
    } else {
        out["ports"] = "random";
    }
    out["port_samples"] = ports;
    pooling(mapped.ip.str(), std::move(addresses), out);
}

/// The gateway's answers over each protocol, as the probe's JSON says them.
nlohmann::json survey_gateway(const std::vector<portmap::Protocol>& protocols, Duration wait) {
    std::vector<std::unique_ptr<portmap::GatewayClient>> clients;
    std::vector<portmap::GatewayClient*> asked;
    for (const auto p : protocols) {
        clients.push_back(portmap::make_client(p));
        asked.push_back(clients.back().get());
    }
    nlohmann::json out = nlohmann::json::object();
    for (const auto& offer : portmap::survey(asked, wait)) {
        auto& entry = out[std::string(portmap::protocol_name(offer.protocol))];
        if (const auto* why = std::get_if<std::string>(&offer.external)) {
            entry = {{"offered", false}, {"why", *why}};
        } else {
            entry = {{"offered", true}, {"external", std::get<Ipv4>(offer.external).str()}};
        }
    }
    return out;
}

nlohmann::json discover(const ProbeOptions& o) {
    UdpSocket socket({Ipv4{0}, o.local_port});
    const stun::Endpoint local{route_source(o.server).ip, socket.local().port};
    nlohmann::json out = {{"server", o.server.str()}, {"local", local.str()}};
    auto first = binding_transaction(socket, o.server, o.timeout);
    if (!first || !first->message.mapped()) {
        out["result"] = "failed";
        out["error"] = fmt::format("no STUN answer from {} within {}", o.server.str(),
                                   format_duration(o.timeout));
        return out;
    }
    const stun::Endpoint mapped = *first->message.mapped();
    const bool translated = !(mapped == local);
    out["result"] = "ok";
    out["mapped"] = mapped.str();
    out["translated"] = translated;
    out["rtt_ms"] = std::round(first->rtt_ms * 100) / 100;
    const stun::Attribute* other_attr = first->message.find(stun::attr::other_address);
    const auto other = other_attr ? stun::decode_address(other_attr->value) : std::nullopt;
    if (!other) {
        out["discovery"] =
            "the server has no alternate address (rendezvous --alt): mapping and filtering "
            "untested";
        return out;
    }
    out["mapping"] = mapping_behaviour(o, socket, local, mapped, *other);
    out["filtering"] = filtering_behaviour(o, translated);
    out["hairpin"] = hairpins(o, socket, mapped);
    port_assignment(o, mapped, out);
    port_bounds(mapped.port, out);
    return out;
}

}  // namespace

nlohmann::json probe_nat(const ProbeOptions& o) {
    // The gateway's answers take up to a wait each; ask while the STUN tests run.
    std::future<nlohmann::json> gateway;
    if (!o.port_mapping.empty())
        gateway =
            std::async(std::launch::async, survey_gateway, o.port_mapping, o.port_mapping_wait);
    nlohmann::json out = discover(o);
    if (gateway.valid()) out["port_mapping"] = gateway.get();
    return out;
}

}  // namespace testbed::programs
