// `port-mapping:` on a router: which gateway protocols it answers and how it
// grants mappings.

#include <fmt/core.h>

#include <chrono>

#include "load/sections.h"

namespace testbed::sections {

namespace {

/// The longest lease miniupnpd can hold (its lifetimes are 32-bit seconds).
constexpr auto kMaxLease = std::chrono::seconds(0xffffffffLL);

void read_lease(YamlReader& r, const YAML::Node& n, const std::string& what, PortMapping& pm) {
    const auto lease = r.duration(n, what + " lease-max");
    if (!lease) return;
    if (*lease < std::chrono::seconds(1) || *lease > kMaxLease ||
        *lease % std::chrono::seconds(1) != Duration::zero()) {
        r.diag().error(loc_of(n), fmt::format("{} lease-max: expected whole seconds from 1s to "
                                              "{}s (a lease of 0 would end every mapping as "
                                              "it is made), found '{}'",
                                              what, kMaxLease.count(), n.Scalar()));
        return;
    }
    pm.lease_max = *lease;
}

void read_external_address(YamlReader& r, const YAML::Node& n, const std::string& what,
                           PortMapping& pm) {
    const auto text = r.word(n, what + " external-address", "an IPv4 address");
    if (!text) return;
    pm.external_address = Ipv4::parse(*text);
    pm.external_loc = loc_of(n);
    if (!pm.external_address)
        r.diag().error(loc_of(n), fmt::format("{} external-address: expected an IPv4 address "
                                              "such as 20.0.0.99, found '{}'",
                                              what, *text));
}

}  // namespace

bool* protocol_flag(PortMapping& pm, std::string_view name) {
    if (name == "upnp") return &pm.upnp;
    if (name == "nat-pmp") return &pm.nat_pmp;
    if (name == "pcp") return &pm.pcp;
    return nullptr;
}

std::optional<PortMapping> read_port_mapping(YamlReader& r, const YAML::Node& node,
                                             const std::string& router) {
    const std::string what = router + " port-mapping";
    if (!r.expect_map(node, what,
                      "a map such as { upnp: true, nat-pmp: true, pcp: true, lease-max: 1h, "
                      "secure: true }"))
        return std::nullopt;
    r.check_keys(node, {"upnp", "nat-pmp", "pcp", "lease-max", "secure", "external-address"}, what);
    PortMapping pm;
    pm.loc = loc_of(node);
    const auto flag = [&](const char* key, bool& into) {
        if (auto n = node[key]) into = r.boolean(n, fmt::format("{} {}", what, key)).value_or(into);
    };
    for (const char* protocol : kPortMappingProtocols) flag(protocol, *protocol_flag(pm, protocol));
    flag("secure", pm.secure);
    if (auto n = node["lease-max"]) read_lease(r, n, what, pm);
    if (auto n = node["external-address"]) read_external_address(r, n, what, pm);
    if (!pm.any())
        r.diag().error(pm.loc, what +
                                   ": no protocol; expected at least one of upnp, nat-pmp, "
                                   "pcp set to true");
    return pm;
}

}  // namespace testbed::sections
