#pragma once
/// NAT behaviour discovery (RFC 5780 §4): what mapping, filtering,
/// hairpinning and port assignment the NATs between this host and a STUN
/// server show. Needs a server with an alternate address for mapping and
/// filtering (`rendezvous --alt`); with a plain STUN server only the mapped
/// address is learnt. Meanwhile it asks the gateway which port-mapping
/// protocols it speaks and the external address each claims.

#include <nlohmann/json.hpp>

#include "base/duration.h"
#include "programs/portmap/client.h"
#include "stun/stun.h"

namespace testbed::programs {

struct ProbeOptions {
    stun::Endpoint server;
    Duration timeout = std::chrono::seconds(3);  ///< for the first answer
    Duration negative_wait =
        std::chrono::milliseconds(500);  ///< for tests whose answer may not come
    uint16_t local_port = 0;             ///< port of the first (mapping) socket; 0 for any
    /// The port-mapping protocols to ask the gateway about (empty: none).
    std::vector<portmap::Protocol> port_mapping;
    Duration port_mapping_wait = std::chrono::seconds(1);
};

/// Runs the tests and returns the JSON the spec's output contract names
/// (`mapping`, `filtering`, `hairpin`, `ports`, `mapped`, plus `result`,
/// `pooling` and `public_addresses` (the addresses new mappings left from),
/// `local`, `translated`, `rtt_ms`) and `port_mapping`: per protocol asked,
/// `offered` and the `external` address the gateway claims or `why` not.
/// `result` is "failed" when the server does not answer at all.
nlohmann::json probe_nat(const ProbeOptions& options);

}  // namespace testbed::programs
