#pragma once
/// `peer --connect`: hole punching to another registered peer through the
/// rendezvous server, over UDP or TCP, with relay fallback. The JSON it
/// returns is the spec's output contract (result, transport, path, local,
/// remote, punch_ms, rtt_ms).

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "base/duration.h"
#include "programs/portmap/client.h"
#include "punch/session.h"
#include "punch/technique.h"
#include "stun/stun.h"

namespace testbed::programs {

struct ConnectOptions {
    stun::Endpoint server;
    std::string id;
    std::string target;
    bool tcp = false;
    bool use_private = true;  ///< --no-private clears it
    bool relay = true;        ///< --no-relay clears it
    bool predict = false;
    Duration timeout = std::chrono::seconds(10);       ///< the whole attempt
    Duration punch_timeout = std::chrono::seconds(2);  ///< direct only, then relay too
    Duration hold = Duration::zero();                  ///< keep the path this long, then check it
    Duration keepalive = std::chrono::seconds(1);      ///< interval during a hold; 0: none
    /// During a hold with keepalives, a path gone silent is found anew
    /// through the server (UDP; `--no-migrate` clears it).
    bool migrate = true;
    uint16_t local_port = 0;
    /// `--port-mapping`: the protocols to ask the gateway for a mapping of
    /// the punching port, best first (portmap::protocols_for); empty: none.
    std::vector<portmap::Protocol> port_mapping;
    Duration port_mapping_wait = std::chrono::seconds(1);  ///< per question to the gateway
    /// `--technique`: how TCP punches (punch/technique.h); p2pnat as ever.
    punch::Technique technique = punch::Technique::p2pnat;
    /// `--ttl`: the small-TTL SYN's TTL instead of the measured hop count + 1.
    std::optional<int> ttl;
};

/// Tries to connect; never throws for network conditions (they give
/// result "failed" with an `error`).
nlohmann::json connect_udp(const ConnectOptions& options);
nlohmann::json connect_tcp(const ConnectOptions& options);

/// This host's IPv4 addresses (up, not loopback) with `port`: the private
/// endpoints a peer registers.
std::vector<stun::Endpoint> local_endpoints(uint16_t port);

/// The JSON of an attempt that found no path.
nlohmann::json failed(const ConnectOptions& o, const std::string& why);

/// The JSON of a connected session: `remote` is where the chosen path ends
/// (the server for a relay), `local` this side's address on it.
nlohmann::json connected(const ConnectOptions& o, const punch::Session& s, punch::PathKind kind,
                         const stun::Endpoint& local, const stun::Endpoint& remote);

}  // namespace testbed::programs
