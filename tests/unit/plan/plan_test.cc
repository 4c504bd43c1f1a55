#include "plan/plan.h"

#include <doctest/doctest.h>
#include <fmt/core.h>

#include <map>

#include "kernel/features.h"
#include "kernel/realizer.h"
#include "plan/ruleset.h"
#include "support/fake_kernel.h"
#include "support/helpers.h"

using namespace testbed;
using testing::contains;
using testing::plan_of;

namespace {

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

TEST_CASE("a network larger than a bridge's ports chains bridges in its namespace") {
    // A Linux bridge takes 1024 ports: 2,000 hosts on one network once
    // failed at the 1,024th with "Unspecific failure".
    std::string yaml = "networks: { lan: 10.0.0.0/16 }\nhosts:\n";
    for (int i = 0; i < 2500; ++i) yaml += fmt::format("  h{}: {{ lan: auto }}\n", i);
    const NetworkPlan p = plan_of(yaml);
    const NamespacePlan& lan = p.namespaces[p.index_of("lan", NamespacePlan::Kind::bridge)];
    CHECK(lan.bridges == std::vector<std::string>{"br0", "br1", "br2"});
    size_t trunks = 0;
    std::map<std::string, size_t> ports;
    for (const auto& link : p.links) {
        if (link.trunk()) {
            ++trunks;
            CHECK(link.a.bridge == "br0");
        } else {
            ++ports[link.b.bridge];
        }
    }
    CHECK(trunks == 2);
    CHECK(ports["br0"] == 1000);
    CHECK(ports["br1"] == 1000);
    CHECK(ports["br2"] == 500);
}
