#pragma once
/// A host's view of its gateway's port mapping: one client per protocol
/// (UPnP IGD, NAT-PMP, PCP), each asking for the external address and for a
/// mapping of one local port. The peer's decisions (which protocol, whether
/// the mapping is any use) live in mapper.h and see only this interface,
/// so tests drive them with fakes.

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "base/duration.h"
#include "base/ipv4.h"
#include "stun/stun.h"

namespace testbed::programs::portmap {

enum class Protocol { upnp, nat_pmp, pcp };
/// "upnp", "nat-pmp", "pcp": the names `--port-mapping` takes.
std::string_view protocol_name(Protocol p);
std::optional<Protocol> protocol_named(std::string_view name);

enum class Transport { udp, tcp };

/// A mapping the gateway granted: where the internet reaches the local port.
struct Lease {
    Protocol protocol = Protocol::upnp;
    stun::Endpoint external;
    uint32_t lifetime_s = 0;  ///< 0: until removed (UPnP's "permanent" lease)
};

/// What a gateway said, or why it said nothing usable (one line, naming the
/// gateway and the protocol's own error).
template <typename T>
using Reply = std::variant<T, std::string>;

class GatewayClient {
  public:
    virtual ~GatewayClient() = default;
    virtual Protocol protocol() const = 0;
    /// The external address the gateway claims, waiting at most `wait`.
    virtual Reply<Ipv4> external_address(Duration wait) = 0;
    /// Maps `internal_port` (this host's) for `lifetime_s`, preferring the same
    /// external port; asking again renews it.
    virtual Reply<Lease> map(Transport transport, uint16_t internal_port, uint32_t lifetime_s,
                             Duration wait) = 0;
    /// Removes the mapping map() made, if any (best effort, bounded).
    virtual void unmap() = 0;
};

/// The real clients: UPnP IGD through libminiupnpc, NAT-PMP through libnatpmp,
/// PCP through pcp.h, each to the host's default gateway.
std::unique_ptr<GatewayClient> make_client(Protocol p);

}  // namespace testbed::programs::portmap
