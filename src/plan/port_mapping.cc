#include "plan/port_mapping.h"

#include <fmt/core.h>

#include <chrono>
#include <functional>

namespace testbed {
namespace {

/// miniupnpd's own floor for PCP lifetimes (its suggested min_lifetime).
constexpr long kMinLifetime = 120;

const char* yes_no(bool b) {
    return b ? "yes" : "no";
}

/// A stable UUID per router name (the IGD's device id), so runs compare.
std::string device_uuid(const std::string& router) {
    const size_t h = std::hash<std::string>{}(router);
    return fmt::format("7e57bed0-0000-4000-8000-{:012x}", h & 0xffffffffffffULL);
}

std::string miniupnpd_config(const Topology& topo, const Router& router, const PortMapping& pm,
                             const std::string& leases) {
    const long max_lifetime =
        std::chrono::duration_cast<std::chrono::seconds>(pm.lease_max).count();
    std::string out = fmt::format(
        "# miniupnpd for router {0}, made by the testbed from its port-mapping:\n"
        "ext_ifname={1}\n",
        router.name, router.wan.network);
    if (pm.external_address) out += fmt::format("ext_ip={}\n", pm.external_address->str());
    for (const auto& lan : router.lans) out += fmt::format("listening_ip={}\n", lan.network);
    out += fmt::format(
        "http_port={}\n"
        "enable_upnp={}\n"
        "enable_natpmp={}\n"
        "secure_mode={}\n"
        "min_lifetime={}\n"
        "max_lifetime={}\n"
        "lease_file={}\n"
        "system_uptime=no\n"
        "notify_interval=30\n"
        "clean_ruleset_interval=60\n"
        "uuid={}\n"
        "friendly_name=testbed {}\n"
        "upnp_table_name={}\n"
        "upnp_nat_table_name={}\n"
        "upnp_forward_chain=miniupnpd\n"
        "upnp_nat_chain=prerouting_miniupnpd\n"
        "upnp_nat_postrouting_chain=postrouting_miniupnpd\n",
        kUpnpHttpPort, yes_no(pm.upnp), yes_no(pm.nat_pmp || pm.pcp), yes_no(pm.secure),
        std::min(kMinLifetime, max_lifetime), max_lifetime, leases, device_uuid(router.name),
        router.name, kPortMapTable, kPortMapTable);
    for (const auto& lan : router.lans) {
        out +=
            fmt::format("allow 1-65535 {} 1-65535\n", topo.find_network(lan.network)->subnet.str());
    }
    out += "deny 0-65535 0.0.0.0/0 0-65535\n";
    return out;
}

StartStep gateway_start(const Router& router, const PortMapping& pm, const std::string& config) {
    StartStep s;
    s.name = gateway_process(router.name);
    s.node = router.name;
    // -d: in the foreground, logging to stderr (kept as the process's log).
    s.argv = {kGatewayProgram, "-d", "-f", "${run_dir}/" + config};
    // miniupnpd opens UPnP's HTTP socket, then SSDP's (bound, then joined
    // to the multicast group), then the one NAT-PMP and PCP share: ready is
    // the last of them. The HTTP port alone is not enough: a client's
    // M-SEARCH sent before SSDP's socket exists gets no answer.
    const bool pcp_socket = pm.nat_pmp || pm.pcp;
    s.ready.kind = ReadySpec::Kind::udp_port;
    s.ready.port = pcp_socket ? kPcpPort : kSsdpPort;
    return s;
}

}  // namespace

std::string port_mapping_table() {
    return fmt::format(
        "table inet {0} {{\n"
        "    chain prerouting {{\n"
        "        type nat hook prerouting priority dstnat - 20; policy accept;\n"
        "        ct mark set {1:#x}\n"
        "        jump prerouting_miniupnpd\n"
        "        ct mark set 0x0\n"
        "    }}\n"
        "    chain prerouting_miniupnpd {{\n"
        "    }}\n"
        "    chain postrouting {{\n"
        "        type nat hook postrouting priority srcnat - 20; policy accept;\n"
        "        jump postrouting_miniupnpd\n"
        "    }}\n"
        "    chain postrouting_miniupnpd {{\n"
        "    }}\n"
        "    chain miniupnpd {{\n"
        "    }}\n"
        "}}\n",
        kPortMapTable, kGatewayMark);
}

std::optional<int> refused_pcp_version(const PortMapping& pm) {
    if (pm.nat_pmp == pm.pcp) return std::nullopt;
    return pm.nat_pmp ? 2 : 0;
}

std::vector<GatewayPlan> plan_gateways(const Topology& topo) {
    std::vector<GatewayPlan> out;
    for (const auto& router : topo.routers) {
        if (!router.port_mapping) continue;
        GatewayPlan g;
        g.router = router.name;
        g.config_path = fmt::format("{}/{}.conf", kGatewayConfigFolder, router.name);
        g.config = miniupnpd_config(topo, router, *router.port_mapping,
                                    fmt::format("/run/miniupnpd-{}.leases", router.name));
        g.start = gateway_start(router, *router.port_mapping, g.config_path);
        out.push_back(std::move(g));
    }
    return out;
}

}  // namespace testbed
