// A router's port-mapping as the gateway daemon runs it: miniupnpd's
// configuration, the table it fills, and what the router's own rules gain.

#include "plan/port_mapping.h"

#include <doctest/doctest.h>

#include "plan/plan.h"
#include "plan/ruleset.h"
#include "support/helpers.h"

using namespace testbed;
using testing::contains;

namespace {

/// alice behind gw (lans home and lab), whose port-mapping is `pm` and nat `nat`.
Topology gateway(const std::string& pm, const std::string& nat = "port-restricted-cone") {
    return testing::valid_topology(
        "networks: { internet: 20.0.0.0/24, home: 10.0.1.0/24, lab: 10.0.2.0/24 }\n"
        "hosts: { s: { internet: 20.0.0.1 }, alice: { home: auto }, bob: { lab: auto } }\n"
        "routers:\n"
        "  gw: { wan: { internet: 20.0.0.10 }, lan: { home: auto, lab: auto }, nat: " +
        nat + ",\n        port-mapping: " + pm + " }\n");
}

}  // namespace

TEST_CASE("port mapping: miniupnpd's configuration, golden") {
    const auto gateways =
        plan_gateways(gateway("{ upnp: true, nat-pmp: true, lease-max: 1h, secure: false }"));
    REQUIRE(gateways.size() == 1);
    const GatewayPlan& g = gateways[0];
    CHECK(g.router == "gw");
    CHECK(g.config_path == "gateway/gw.conf");
    const std::string expected_start =
        "# miniupnpd for router gw, made by the testbed from its port-mapping:\n"
        "ext_ifname=internet\n"
        "listening_ip=home\n"
        "listening_ip=lab\n"
        "http_port=2869\n"
        "enable_upnp=yes\n"
        "enable_natpmp=yes\n"
        "secure_mode=no\n"
        "min_lifetime=120\n"
        "max_lifetime=3600\n"
        "lease_file=/run/miniupnpd-gw.leases\n";
    CHECK(g.config.substr(0, expected_start.size()) == expected_start);
    CHECK(contains(g.config,
                   "upnp_table_name=testbed_portmap\n"
                   "upnp_nat_table_name=testbed_portmap\n"
                   "upnp_forward_chain=miniupnpd\n"
                   "upnp_nat_chain=prerouting_miniupnpd\n"
                   "upnp_nat_postrouting_chain=postrouting_miniupnpd\n"));
    CHECK(contains(g.config,
                   "allow 1-65535 10.0.1.0/24 1-65535\n"
                   "allow 1-65535 10.0.2.0/24 1-65535\n"
                   "deny 0-65535 0.0.0.0/0 0-65535\n"));
    // Started in the router, from the run folder, ready once NAT-PMP's port is bound.
    CHECK(g.start.name == "gateway-gw");
    CHECK(g.start.node == "gw");
    CHECK(g.start.argv ==
          std::vector<std::string>{"miniupnpd", "-d", "-f", "${run_dir}/gateway/gw.conf"});
    CHECK(g.start.ready.kind == ReadySpec::Kind::udp_port);
    CHECK(g.start.ready.port == 5351);
}

TEST_CASE(
    "port mapping: UPnP alone is ready on its SSDP port; a claimed address and short leases") {
    const auto g =
        plan_gateways(gateway("{ upnp: true, lease-max: 30s, external-address: 20.0.0.99 }"))[0];
    CHECK(contains(g.config, "ext_ifname=internet\next_ip=20.0.0.99\n"));
    CHECK(contains(g.config, "enable_natpmp=no\n"));
    CHECK(contains(g.config, "secure_mode=yes\n"));
    // miniupnpd wants min_lifetime <= max_lifetime.
    CHECK(contains(g.config, "min_lifetime=30\nmax_lifetime=30\n"));
    // SSDP's socket opens after the HTTP one: discovery must be answerable.
    CHECK(g.start.ready.kind == ReadySpec::Kind::udp_port);
    CHECK(g.start.ready.port == 1900);
}

TEST_CASE("port mapping: the table miniupnpd fills marks what it translated") {
    const std::string table = port_mapping_table();
    CHECK(contains(table,
                   "table inet testbed_portmap {\n"
                   "    chain prerouting {\n"
                   "        type nat hook prerouting priority dstnat - 20; policy accept;\n"
                   "        ct mark set 0x7e570001\n"
                   "        jump prerouting_miniupnpd\n"
                   "        ct mark set 0x0\n"
                   "    }\n"));
    CHECK(contains(table, "chain postrouting_miniupnpd {"));
    CHECK(contains(table, "chain miniupnpd {"));
    const NetworkPlan plan = plan_network(gateway("{ pcp: true }"));
    const auto& gw = plan.namespaces[plan.index_of("gw", NamespacePlan::Kind::router)];
    CHECK(gw.gateway_ruleset == table);
    CHECK(
        plan.namespaces[plan.index_of("alice", NamespacePlan::Kind::host)].gateway_ruleset.empty());
}

TEST_CASE(
    "port mapping: the router lets in what the daemon translated, and refuses the protocol it "
    "lacks") {
    const Topology apd = gateway("{ upnp: true, nat-pmp: true }");
    const std::string rules = plan_router_rules(apd, apd.routers[0]).text;
    CHECK(contains(rules,
                   "        iifname \"internet\" ct state established,related accept\n"
                   "        iifname \"internet\" ct mark 0x7e570001 accept\n"
                   "        iifname \"internet\" drop\n"));
    // NAT-PMP without PCP: PCP requests (version 2) are dropped on every lan.
    CHECK(contains(rules,
                   "        iifname \"home\" udp dport 5351 @th,64,8 2 drop\n"
                   "        iifname \"lab\" udp dport 5351 @th,64,8 2 drop\n"));
    const Topology pcp_only = gateway("{ pcp: true }");
    CHECK(contains(plan_router_rules(pcp_only, pcp_only.routers[0]).text,
                   "iifname \"home\" udp dport 5351 @th,64,8 0 drop\n"));
    const Topology both = gateway("{ nat-pmp: true, pcp: true }");
    CHECK_FALSE(contains(plan_router_rules(both, both.routers[0]).text, "5351"));

    // Address-dependent filtering: the screen runs after the nat chains and
    // keys on the port before translation; the daemon's mappings pass it.
    const Topology ad = gateway("{ upnp: true }", "restricted-cone");
    const std::string ad_rules = plan_router_rules(ad, ad.routers[0]).text;
    CHECK(
        contains(ad_rules,
                 "    chain screen {\n"
                 "        type filter hook prerouting priority dstnat + 10; policy accept;\n"
                 "        iifname \"internet\" ct mark 0x7e570001 accept\n"
                 "        iifname \"internet\" ct state new meta l4proto udp ct original ip daddr "
                 ". ct original proto-dst . ip saddr != @udp_contacted drop\n"));
    // Without port-mapping the router's rules are what they always were.
    const Topology plain = testing::valid_topology(
        "networks: { internet: 20.0.0.0/24, home: 10.0.1.0/24 }\n"
        "hosts: { s: { internet: auto }, a: { home: auto } }\n"
        "routers: { gw: { wan: { internet: auto }, lan: { home: auto }, nat: restricted-cone } "
        "}\n");
    const std::string plain_rules = plan_router_rules(plain, plain.routers[0]).text;
    CHECK(contains(plain_rules, "type filter hook prerouting priority dstnat - 10;"));
    CHECK_FALSE(contains(plain_rules, "ct mark"));
}
