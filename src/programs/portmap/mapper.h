#pragma once
/// The peer's port mapping, over GatewayClient (client.h) so tests drive it
/// with fakes: which protocols `--port-mapping` asks and in what order,
/// the survey of what a gateway offers (`peer probe`), one mapping of the
/// punching port kept alive by renewals and removed at the end, and the
/// judgement whether a granted mapping is any use.

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "programs/portmap/client.h"

namespace testbed::programs::portmap {

using Clock = std::chrono::steady_clock;
using Time = Clock::time_point;

/// `--port-mapping MODE`: the protocols to ask, best first. `auto` is PCP,
/// NAT-PMP, UPnP (PCP supersedes NAT-PMP; UPnP's discovery and SOAP are the
/// heaviest); `off` is none; a protocol's name is that one alone. nullopt
/// for any other word.
std::optional<std::vector<Protocol>> protocols_for(std::string_view mode);

using ClientFactory = std::function<std::unique_ptr<GatewayClient>(Protocol)>;

/// One protocol's answer in a survey: the external address the gateway
/// claims over it, or why it did not answer.
struct Offer {
    Protocol protocol = Protocol::upnp;
    Reply<Ipv4> external;
};

/// Asks each client for the external address, all at once (a thread each),
/// so a survey lasts as long as its slowest answer, `wait` at most. The
/// offers come in the clients' order.
std::vector<Offer> survey(const std::vector<GatewayClient*>& clients, Duration wait);

class PortMapper {
  public:
    /// `wait`: how long each question to the gateway may take.
    PortMapper(const std::vector<Protocol>& order, const ClientFactory& factory, Duration wait);
    /// Removes the mapping, if one was made.
    ~PortMapper();
    PortMapper(const PortMapper&) = delete;
    PortMapper& operator=(const PortMapper&) = delete;

    /// Maps `port` with the first protocol (in order) that grants it; with
    /// several protocols, a survey first says which ones answer at all, so a
    /// silent one costs one `wait` rather than one each.
    std::optional<Lease> map(Transport transport, uint16_t port, uint32_t lifetime_s, Time now);
    const std::optional<Lease>& lease() const { return lease_; }
    /// Why no protocol granted the mapping: "pcp: WHY; nat-pmp: WHY; ...".
    std::string refusals() const;

    /// When the lease is half over (RFC 6886 §3.3's advice, which PCP and
    /// UPnP clients follow too); Time::max() without one or for a lease
    /// that does not end.
    Time renewal_due() const;
    /// Asks again if the renewal is due. A failed renewal keeps the old
    /// lease (it runs until its end) and tries again at the next quarter.
    void renew_if_due(Time now);

  private:
    GatewayClient* client_for(Protocol p);

    std::vector<std::unique_ptr<GatewayClient>> clients_;
    Duration wait_;
    GatewayClient* holder_ = nullptr;  ///< the client whose mapping this is
    std::optional<Lease> lease_;
    Transport transport_ = Transport::udp;
    uint16_t port_ = 0;
    uint32_t asked_lifetime_ = 0;
    Time renew_at_ = Time::max();
    std::vector<std::string> refusals_;
};

/// Whether a granted mapping helps: only if the gateway's external address
/// is the one the rendezvous server sees. If not, `why` says what that
/// means (the gateway sits behind another NAT, as a home router behind a
/// carrier's; or it reports a wrong address).
struct Judgement {
    bool useful = false;
    std::string why;
};
Judgement judge(const Lease& lease, const stun::Endpoint& server_sees);

}  // namespace testbed::programs::portmap
