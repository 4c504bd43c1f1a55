#include "validate/port_mapping.h"

#include <fmt/core.h>

#include <algorithm>

namespace testbed {
namespace {

constexpr const char* kPublicRanges =
    "docs/topology.md, \"Which addresses to use for the public internet\"";

void check_claimed_address(const Router& router, const PortMapping& pm, Diagnostics& diag) {
    const auto& wan = router.wan.addresses;
    const std::optional<Ipv4> claimed = pm.external_address
                                            ? pm.external_address
                                            : (wan.empty() ? std::nullopt : wan.front().address);
    if (!claimed) return;
    const auto special = special_purpose_range(*claimed);
    if (!special) return;
    const SourceLoc loc = pm.external_address ? pm.external_loc : wan.front().loc;
    diag.error(loc, fmt::format("router '{}' port-mapping: miniupnpd refuses {} as the "
                                "gateway's public address: it lies in {}, {}; put the wan on "
                                "an ordinary public range ({}) or set external-address",
                                router.name, claimed->str(), special->subnet, special->name,
                                kPublicRanges));
}

void check_lan_addresses(const Router& router, Diagnostics& diag) {
    for (const auto& lan : router.lans) {
        for (const auto& spec : lan.addresses) {
            if (!spec.address || special_purpose_range(*spec.address)) continue;
            diag.error(spec.loc,
                       fmt::format("router '{}' port-mapping: miniupnpd refuses to serve a lan "
                                   "with the public address {}; give lan '{}' a private range "
                                   "(RFC 1918, or 100.64.0.0/10 for a carrier's lan)",
                                   router.name, spec.address->str(), lan.network));
        }
    }
}

/// The gateways' configuration goes into the run folder before any step:
/// a `files:` entry there would be refused at run time, or stand in its way.
void check_gateway_folder_free(const Topology& topo, Diagnostics& diag) {
    const auto gateway = std::find_if(topo.routers.begin(), topo.routers.end(),
                                      [](const Router& r) { return r.port_mapping.has_value(); });
    if (gateway == topo.routers.end()) return;
    const std::string folder = kGatewayConfigFolder;
    for (const auto& f : topo.files) {
        if (f.path != folder && !f.path.starts_with(folder + "/")) continue;
        diag.error(f.loc, fmt::format("files '{}': the run folder's '{}/' holds the "
                                      "configuration the testbed writes for router '{}'s "
                                      "port-mapping gateway; choose another path",
                                      f.path, folder, gateway->name));
    }
}

}  // namespace

void check_port_mapping(const Topology& topo, Diagnostics& diag) {
    for (const auto& router : topo.routers) {
        if (!router.port_mapping) continue;
        const PortMapping& pm = *router.port_mapping;
        if (!router.translates()) {
            diag.error(pm.loc, fmt::format("router '{}' port-mapping: the router does not "
                                           "translate; a gateway maps ports of its NAT (give "
                                           "it a nat: behaviour other than open)",
                                           router.name));
            continue;
        }
        if (router.wan.addresses.size() > 1) {
            diag.error(pm.loc, fmt::format("router '{}' port-mapping: the gateway daemon speaks "
                                           "for one public address, and the wan has {}",
                                           router.name, router.wan.addresses.size()));
        }
        check_claimed_address(router, pm, diag);
        check_lan_addresses(router, diag);
    }
    check_gateway_folder_free(topo, diag);
}

}  // namespace testbed
