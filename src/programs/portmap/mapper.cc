#include "programs/portmap/mapper.h"

#include <fmt/core.h>
#include <fmt/ranges.h>

#include <future>

#include "base/log.h"

namespace testbed::programs::portmap {
namespace {

Time half_life(Time now, uint32_t lifetime_s, int divisor = 2) {
    if (lifetime_s == 0) return Time::max();
    return now + std::chrono::milliseconds(int64_t{lifetime_s} * 1000 / divisor);
}

std::string refusal(Protocol p, const std::string& why) {
    return fmt::format("{}: {}", protocol_name(p), why);
}

}  // namespace

std::optional<std::vector<Protocol>> protocols_for(std::string_view mode) {
    if (mode == "auto") return std::vector{Protocol::pcp, Protocol::nat_pmp, Protocol::upnp};
    if (mode == "off") return std::vector<Protocol>{};
    if (auto p = protocol_named(mode)) return std::vector{*p};
    return std::nullopt;
}

std::vector<Offer> survey(const std::vector<GatewayClient*>& clients, Duration wait) {
    std::vector<std::future<Reply<Ipv4>>> answers;
    answers.reserve(clients.size());
    for (GatewayClient* c : clients)
        answers.push_back(
            std::async(std::launch::async, [c, wait] { return c->external_address(wait); }));
    std::vector<Offer> out;
    for (size_t i = 0; i < clients.size(); ++i)
        out.push_back({clients[i]->protocol(), answers[i].get()});
    return out;
}

PortMapper::PortMapper(const std::vector<Protocol>& order, const ClientFactory& factory,
                       Duration wait)
    : wait_(wait) {
    for (const Protocol p : order) clients_.push_back(factory(p));
}

PortMapper::~PortMapper() {
    if (holder_) holder_->unmap();
}

GatewayClient* PortMapper::client_for(Protocol p) {
    for (auto& c : clients_) {
        if (c->protocol() == p) return c.get();
    }
    return nullptr;
}

std::optional<Lease> PortMapper::map(Transport transport, uint16_t port, uint32_t lifetime_s,
                                     Time now) {
    transport_ = transport;
    port_ = port;
    asked_lifetime_ = lifetime_s;
    refusals_.clear();
    std::vector<GatewayClient*> willing;
    for (auto& c : clients_) willing.push_back(c.get());
    if (willing.size() > 1) {
        std::vector<GatewayClient*> answered;
        for (const Offer& o : survey(willing, wait_)) {
            if (const auto* why = std::get_if<std::string>(&o.external))
                refusals_.push_back(refusal(o.protocol, *why));
            else
                answered.push_back(client_for(o.protocol));
        }
        willing = answered;
    }
    for (GatewayClient* c : willing) {
        auto reply = c->map(transport, port, lifetime_s, wait_);
        if (const auto* why = std::get_if<std::string>(&reply)) {
            refusals_.push_back(refusal(c->protocol(), *why));
            continue;
        }
        holder_ = c;
        lease_ = std::get<Lease>(reply);
        renew_at_ = half_life(now, lease_->lifetime_s);
        return lease_;
    }
    return std::nullopt;
}

std::string PortMapper::refusals() const {
    return fmt::format("{}", fmt::join(refusals_, "; "));
}

Time PortMapper::renewal_due() const {
    return lease_ ? renew_at_ : Time::max();
}

void PortMapper::renew_if_due(Time now) {
    if (!lease_ || !holder_ || now < renew_at_) return;
    auto reply = holder_->map(transport_, port_, asked_lifetime_, wait_);
    if (const auto* why = std::get_if<std::string>(&reply)) {
        log::warning("port mapping: renewing {} failed: {}", protocol_name(lease_->protocol), *why);
        renew_at_ = half_life(now, lease_->lifetime_s, 4);
        return;
    }
    const Lease renewed = std::get<Lease>(reply);
    if (!(renewed.external == lease_->external))
        log::warning("port mapping: the renewal moved the mapping from {} to {}",
                     lease_->external.str(), renewed.external.str());
    lease_ = renewed;
    renew_at_ = half_life(now, lease_->lifetime_s);
    log::debug("port mapping: renewed {} for {} s", lease_->external.str(), lease_->lifetime_s);
}

Judgement judge(const Lease& lease, const stun::Endpoint& server_sees) {
    const Ipv4 claimed = lease.external.ip;
    if (claimed == server_sees.ip) return {true, ""};
    if (const auto range = special_purpose_range(claimed)) {
        return {false,
                fmt::format("the gateway's external address {} is in {} ({}): the gateway sits "
                            "behind another NAT, which the mapping does not cross; the server sees "
                            "this host as {}",
                            claimed.str(), range->subnet, range->name, server_sees.str())};
    }
    return {false,
            fmt::format("the gateway maps on {} but the server sees this host as {}: another NAT "
                        "lies between the gateway and the internet (or the gateway reports a wrong "
                        "address), so the internet cannot reach the mapping",
                        lease.external.str(), server_sees.str())};
}

}  // namespace testbed::programs::portmap
