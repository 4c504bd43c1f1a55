#include "core/plan.h"

#include <doctest/doctest.h>

#include "core/preflight.h"
#include "core/realizer.h"
#include "core/ruleset.h"
#include "fake_kernel.h"
#include "helpers.h"

using namespace testbed;
using testing::contains;

namespace {

NetworkPlan plan_of(const std::string& yaml) {
    auto l = testing::load(yaml);
    INFO(l.diag.format());
    REQUIRE(l.topo);
    REQUIRE_FALSE(l.diag.has_errors());
    return plan_network(*l.topo);
}

const NamespacePlan& ns(const NetworkPlan& p, const std::string& name,
                        NamespacePlan::Kind kind = NamespacePlan::Kind::host) {
    return p.namespaces[p.index_of(name, kind)];
}

}  // namespace

TEST_CASE("the spec example: namespaces, links and default routes") {
    const NetworkPlan p = plan_of(testing::kSpecExample);
    // 3 hosts + 2 routers + 1 bridge for the 3-member internet.
    CHECK(p.namespaces.size() == 6);
    CHECK(ns(p, "internet", NamespacePlan::Kind::bridge).kind == NamespacePlan::Kind::bridge);
    // home-a has two members: a plain veth pair, no bridge.
    size_t home_a_links = 0;
    for (const auto& l : p.links) home_a_links += l.network == "home-a";
    CHECK(home_a_links == 1);
    const auto& alice = ns(p, "alice");
    REQUIRE(alice.routes.size() == 1);
    CHECK(alice.routes[0].destination.str() == "0.0.0.0/0");
    CHECK(alice.routes[0].gateway.str() == "10.0.1.1");
    CHECK(alice.interfaces[0].name == "home-a");
    CHECK(ns(p, "server").routes.empty());  // on the internet: no router serves it
    CHECK(ns(p, "nat-a", NamespacePlan::Kind::router).routes.empty());
    CHECK(contains(ns(p, "nat-a", NamespacePlan::Kind::router).ruleset,
                   "oifname \"internet\" masquerade"));
}

TEST_CASE("nested NAT: the home router's default route is the carrier's lan address") {
    const NetworkPlan p = plan_of(R"(networks:
  internet: 203.0.113.0/24
  carrier: 100.64.0.0/24
  home: 10.0.1.0/24
hosts:
  server: { internet: 203.0.113.1 }
  alice: { home: auto }
routers:
  cgn: { wan: { internet: auto }, lan: { carrier: auto }, nat: cgnat }
  home-nat: { wan: { carrier: auto }, lan: { home: auto }, nat: full-cone }
)");
    const auto& home = ns(p, "home-nat", NamespacePlan::Kind::router);
    REQUIRE(home.routes.size() == 1);
    CHECK(home.routes[0].gateway.str() == "100.64.0.1");
    CHECK(ns(p, "alice").routes[0].gateway.str() == "10.0.1.1");
}

TEST_CASE("plain routers make the subnets below them reachable from above") {
    const NetworkPlan p = plan_of(R"(networks:
  core: 198.51.100.0/24
  edge: 192.0.2.0/25
  leaf: 192.0.2.128/25
hosts:
  top: { core: auto }
  mid: { edge: auto }
  low: { leaf: auto }
routers:
  r1: { wan: { core: auto }, lan: { edge: auto } }
  r2: { wan: { edge: auto }, lan: { leaf: auto } }
)");
    std::vector<std::string> routes;
    for (const auto& r : ns(p, "top").routes)
        routes.push_back(r.destination.str() + " via " + r.gateway.str());
    CHECK(routes == std::vector<std::string>{"192.0.2.0/25 via 198.51.100.2",
                                             "192.0.2.128/25 via 198.51.100.2"});
    const auto& r1 = ns(p, "r1", NamespacePlan::Kind::router);
    REQUIRE(r1.routes.size() == 1);
    CHECK(r1.routes[0].destination.str() == "192.0.2.128/25");
}

TEST_CASE("subnets behind a NAT are not routed from outside") {
    const NetworkPlan p = plan_of(testing::kSpecExample);
    CHECK(ns(p, "server").routes.empty());
}

TEST_CASE("realizer: order of kernel calls, and forwarding only on routers") {
    const NetworkPlan p = plan_of(testing::kSpecExample);
    testing::FakeKernel k;
    Realizer r(k, p);
    r.build();
    CHECK(k.called("sysctl nat-a net/ipv4/ip_forward=1"));
    CHECK(k.called("sysctl alice net/ipv4/ip_forward=0"));
    CHECK(k.called("veth alice:home-a nat-a:home-a"));
    CHECK(k.called("enslave internet:p0 to br0"));
    CHECK(k.called("addr alice:home-a 10.0.1.2/24"));
    CHECK(k.called("route alice 0.0.0.0/0 via 10.0.1.1 dev home-a"));
    CHECK(k.called("nft nat-a"));
    // Routes only after every address is in place.
    size_t last_addr = 0, first_route = k.calls.size();
    for (size_t i = 0; i < k.calls.size(); ++i) {
        if (k.calls[i].rfind("addr ", 0) == 0) last_addr = i;
        if (k.calls[i].rfind("route ", 0) == 0) first_route = std::min(first_route, i);
    }
    CHECK(last_addr < first_route);
    r.teardown();
    CHECK(k.alive.empty());
    CHECK(k.calls.back() == "destroy server");  // the mirror: newest first, oldest last
}

TEST_CASE("realizer: a failure part way tears down what was built") {
    const NetworkPlan p = plan_of(testing::kSpecExample);
    testing::FakeKernel k;
    k.fail_at = 60;
    Realizer r(k, p);
    CHECK_THROWS_WITH_AS(r.build(), doctest::Contains("Injected failure"), SystemError);
    CHECK_FALSE(k.names.empty());
    CHECK(k.alive.empty());
}

namespace {

RouterRules nat_router(const char* preset) {
    RouterRules rules;
    rules.router = "nat-a";
    rules.wan = "internet";
    rules.wan_address = *Ipv4::parse("203.0.113.10");
    rules.lans = {"home-a"};
    rules.lan_subnets = {*Subnet::parse("10.0.1.0/24")};
    if (preset) rules.nat = *nat_preset(preset);
    return rules;
}

}  // namespace

TEST_CASE("rulesets: golden text for a port-restricted cone NAT (plain masquerade)") {
    const RulesetResult r = router_ruleset(nat_router("port-restricted-cone"));
    CHECK(r.warnings.empty());
    CHECK(r.sysctls.empty());
    CHECK(r.text == R"(table ip testbed {
    chain postrouting {
        type nat hook postrouting priority srcnat; policy accept;
        oifname "internet" masquerade
    }
    chain forward {
        type filter hook forward priority filter; policy accept;
        iifname "internet" ct state established,related accept
        iifname "internet" drop
    }
    chain input {
        type filter hook input priority filter; policy accept;
        iifname "internet" ct state established,related accept
        iifname "internet" drop
    }
}
)");
}

TEST_CASE("rulesets: golden text for a full cone NAT (EI filtering through a dynamic map)") {
    const RulesetResult r = router_ruleset(nat_router("full-cone"));
    CHECK(r.warnings.empty());
    CHECK(r.text == R"(table ip testbed {
    map udp_mapped { type inet_service : ipv4_addr . inet_service; flags dynamic,timeout; timeout 120s; }
    map tcp_mapped { type inet_service : ipv4_addr . inet_service; flags dynamic,timeout; timeout 7440s; }
    chain postrouting {
        type nat hook postrouting priority srcnat; policy accept;
        oifname "internet" masquerade
    }
    chain record {
        type filter hook postrouting priority srcnat + 10; policy accept;
        oifname "internet" meta l4proto udp update @udp_mapped { udp sport : ct original ip saddr . ct original proto-src }
        oifname "internet" meta l4proto tcp update @tcp_mapped { tcp sport : ct original ip saddr . ct original proto-src }
    }
    chain inbound {
        type nat hook prerouting priority dstnat; policy accept;
        iifname "internet" meta l4proto udp dnat ip to udp dport map @udp_mapped
        iifname "internet" meta l4proto tcp dnat ip to tcp dport map @tcp_mapped
    }
    chain forward {
        type filter hook forward priority filter; policy accept;
        iifname "internet" ct state established,related accept
        iifname "internet" ct status dnat accept
        iifname "internet" drop
    }
    chain input {
        type filter hook input priority filter; policy accept;
        iifname "internet" ct state established,related accept
        iifname "internet" drop
    }
}
)");
}

TEST_CASE("rulesets: restricted cone screens new inbound packets by remote address") {
    const RulesetResult r = router_ruleset(nat_router("restricted-cone"));
    CHECK(r.warnings.empty());
    CHECK(contains(r.text,
                   "set udp_contacted { type inet_service . ipv4_addr; flags dynamic,timeout;"));
    CHECK(contains(r.text, "update @udp_contacted { udp sport . ip daddr }"));
    CHECK(contains(r.text, "type filter hook prerouting priority dstnat - 10;"));
    CHECK(contains(r.text,
                   "iifname \"internet\" ct state new meta l4proto udp udp dport . ip saddr != "
                   "@udp_contacted drop"));
}

TEST_CASE("rulesets: hairpinning translates inside traffic to the public address, both ways") {
    RouterRules rules = nat_router("port-restricted-cone");
    rules.nat->hairpin = true;
    const RulesetResult r = router_ruleset(rules);
    CHECK(contains(r.text,
                   "iifname != \"internet\" ip daddr 203.0.113.10 meta l4proto udp dnat ip to udp "
                   "dport map @udp_mapped"));
    CHECK(contains(
        r.text,
        "oifname != \"internet\" ct status dnat ip saddr { 10.0.1.0/24 } snat ip to 203.0.113.10"));
    // Filtering stays address-and-port-dependent: no inbound dnat from the wan.
    CHECK_FALSE(contains(r.text, "iifname \"internet\" meta l4proto udp dnat"));
}

TEST_CASE("rulesets: timeouts become map lifetimes and conntrack sysctls") {
    RouterRules rules = nat_router("full-cone");
    rules.nat->udp_timeout = std::chrono::seconds(10);
    rules.nat->tcp_timeout = std::chrono::milliseconds(1500);
    const RulesetResult r = router_ruleset(rules);
    CHECK(contains(r.text,
                   "map udp_mapped { type inet_service : ipv4_addr . inet_service; flags "
                   "dynamic,timeout; timeout 10s; }"));
    CHECK(contains(r.text, "timeout 1500ms;"));
    using S = std::pair<std::string, std::string>;
    CHECK(r.sysctls == std::vector<S>{{"net/netfilter/nf_conntrack_udp_timeout", "10"},
                                      {"net/netfilter/nf_conntrack_udp_timeout_stream", "10"},
                                      {"net/netfilter/nf_conntrack_tcp_timeout_established", "2"}});
}

TEST_CASE("rulesets: symmetric uses random ports; approximations are warned about, not hidden") {
    const RulesetResult sym = router_ruleset(nat_router("symmetric"));
    CHECK(contains(sym.text, "masquerade random"));
    CHECK(sym.warnings.empty());
    const RulesetResult seq = router_ruleset(nat_router("symmetric-sequential"));
    CHECK(seq.warnings.empty());
    CHECK(contains(seq.text,
                   "snat ip to 203.0.113.10 : numgen inc mod 1000 map { 0 : 20000, 1 : 20001,"));
    RouterRules stepped = nat_router("symmetric-sequential");
    stepped.nat->port_step = 2;
    CHECK(contains(router_ruleset(stepped).text, "mod 1000 map { 0 : 20000, 1 : 20002,"));
    RouterRules ad = nat_router("symmetric");
    ad.nat->mapping = Behaviour::address_dependent;
    const RulesetResult adr = router_ruleset(ad);
    CHECK(adr.warnings.empty());
    CHECK(contains(adr.text,
                   "map udp_ports { type ipv4_addr . inet_service . ipv4_addr : inet_service;"));
    CHECK(contains(adr.text,
                   "snat ip to 203.0.113.10 : ip saddr . udp sport . ip daddr map @udp_ports"));
    CHECK(contains(adr.text,
                   "update @udp_ports { ct original ip saddr . ct original proto-src . ct original "
                   "ip daddr : udp sport }"));
    RouterRules keep = nat_router("symmetric");
    keep.nat->ports = PortAssignment::preserve;
    const RulesetResult kept = router_ruleset(keep);
    REQUIRE(kept.warnings.size() == 1);
    CHECK(contains(kept.warnings[0], "cannot keep ports"));
    RouterRules rst = nat_router("full-cone");
    rst.nat->tcp_unsolicited = TcpUnsolicited::rst;
    CHECK(contains(router_ruleset(rst).text, "reject with tcp reset"));
}

TEST_CASE("rulesets: firewalls and plain routers") {
    RouterRules rules = nat_router(nullptr);
    CHECK(router_ruleset(rules).text.empty());
    rules.nat = *nat_preset("udp-blocked");
    CHECK(contains(router_ruleset(rules).text, "meta l4proto udp drop"));
    CHECK_FALSE(contains(router_ruleset(rules).text, "masquerade"));
    rules.nat = *nat_preset("symmetric-udp-firewall");
    const auto fw = router_ruleset(rules);
    CHECK(contains(fw.text, "iifname \"internet\" ct state established,related accept"));
    CHECK_FALSE(contains(fw.text, "masquerade"));
    rules.nat.reset();
    FirewallSpec ad;
    ad.filtering = Behaviour::address_dependent;
    rules.firewall = ad;
    const auto adfw = router_ruleset(rules);
    CHECK(contains(adfw.text, "update @udp_inside { ip saddr . udp sport . ip daddr }"));
    CHECK(contains(adfw.text,
                   "iifname \"internet\" meta l4proto udp ip daddr . udp dport . ip saddr "
                   "@udp_inside accept"));
}

TEST_CASE("preflight: a ruleset's features are named with their kernel options") {
    auto loaded = testing::load(R"(
name: f
networks: { internet: 203.0.113.0/24, home: 10.0.1.0/24 }
hosts: { s: { internet: auto }, a: { home: auto } }
routers:
  nat: { wan: { internet: auto }, lan: { home: auto }, nat: { mapping: endpoint-independent, filtering: endpoint-independent, ports: sequential, tcp-unsolicited: rst } }
)");
    REQUIRE(loaded.topo);
    const auto rules = plan_router_rules(*loaded.topo, loaded.topo->routers[0]);
    std::string all;
    for (const auto& [feature, option] : ruleset_features(rules.text))
        all += feature + " " + option + "\n";
    CHECK(contains(all, "numgen (sequential ports) CONFIG_NFT_NUMGEN"));
    CHECK(contains(all, "reject with tcp reset"));
    CHECK(contains(all, "CONFIG_NFT_NAT"));
    CHECK(contains(all, "connection tracking"));
    CHECK(ruleset_features("").empty());
}
