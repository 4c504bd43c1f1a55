#include "programs/portmap/client.h"

#include "programs/portmap/clients.h"

namespace testbed::programs::portmap {

std::string_view protocol_name(Protocol p) {
    switch (p) {
        case Protocol::upnp:
            return "upnp";
        case Protocol::nat_pmp:
            return "nat-pmp";
        case Protocol::pcp:
            return "pcp";
    }
    return "unknown";
}

std::optional<Protocol> protocol_named(std::string_view name) {
    for (const Protocol p : {Protocol::upnp, Protocol::nat_pmp, Protocol::pcp}) {
        if (protocol_name(p) == name) return p;
    }
    return std::nullopt;
}

std::unique_ptr<GatewayClient> make_client(Protocol p) {
    switch (p) {
        case Protocol::upnp:
            return make_upnp_client();
        case Protocol::nat_pmp:
            return make_natpmp_client();
        case Protocol::pcp:
            return make_pcp_client();
    }
    return nullptr;
}

}  // namespace testbed::programs::portmap
