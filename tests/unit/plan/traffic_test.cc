// The traffic tables: each host's tag set where its packets enter the
// network, in a namespace no program under test runs in, and counters by
// sender where a checked host's link ends.

#include "plan/traffic.h"

#include <doctest/doctest.h>

#include "support/helpers.h"

using namespace testbed;
using testing::contains;
using testing::plan_of;

namespace {

const char* kPair = R"(
networks: { internet: 203.0.113.0/24, home: 10.0.1.0/24 }
hosts:
  server: { internet: 203.0.113.1 }
  alice: { home: auto }
  bob: { internet: 203.0.113.2 }
routers:
  nat: { wan: { internet: 203.0.113.10 }, lan: { home: auto }, nat: symmetric }
traffic:
  - { between: [alice, bob], via: direct }
)";

const NamespacePlan& ns_of(const NetworkPlan& p, const std::string& name,
                           NamespacePlan::Kind kind) {
    return p.namespaces[p.index_of(name, kind)];
}

}  // namespace

TEST_CASE("traffic: tags are set where a host's packets enter the network, never in a host") {
    const NetworkPlan p = plan_of(kPair);
    for (const char* host : {"server", "alice", "bob"}) {
        const auto& ns = ns_of(p, host, NamespacePlan::Kind::host);
        CHECK(ns.ruleset.empty());
        CHECK(ns.traffic_table.empty());
    }
    // alice's one link ends in the router (two members): tagged on its lan
    // interface's ingress, counted on its egress. Tags follow the file's order.
    const std::string& nat = ns_of(p, "nat", NamespacePlan::Kind::router).traffic_table;
    CHECK(contains(nat, "table netdev testbed_traffic {"));
    CHECK(contains(nat,
                   "type filter hook ingress device \"home\" priority -300; policy accept;\n"
                   "    ip dscp set 2\n"));
    CHECK(contains(nat, "type filter hook egress device \"home\" priority 0; policy accept;\n"));
    CHECK(contains(nat, "counter to_2_from_1 { comment \"alice from server\" }"));
    CHECK(contains(nat, "ip dscp 3 counter name \"to_2_from_3\"\n"));
    CHECK_FALSE(contains(nat, "to_2_from_2"));  // not from itself
    // The NAT's own table is untouched: it forwards tags as they are.
    CHECK_FALSE(contains(ns_of(p, "nat", NamespacePlan::Kind::router).ruleset, "dscp"));
    // The internet is a bridge: server (a possible relay) is tagged at its
    // port and counts nothing; bob is tagged and counted at his.
    const std::string& internet = ns_of(p, "internet", NamespacePlan::Kind::bridge).traffic_table;
    CHECK(contains(internet, "ip dscp set 1\n"));
    CHECK(contains(internet, "ip dscp set 3\n"));
    CHECK(contains(internet, "counter to_3_from_2"));
    CHECK_FALSE(contains(internet, "to_1_from"));
}

TEST_CASE("traffic: a network of two hosts is bridged, so neither holds the other's tag") {
    const NetworkPlan p = plan_of(R"(
networks: { lan: 10.0.0.0/24 }
hosts: { a: { lan: auto }, b: { lan: auto } }
traffic:
  - { between: [a, b], via: direct }
)");
    const auto& bridge = ns_of(p, "lan", NamespacePlan::Kind::bridge);
    CHECK(contains(bridge.traffic_table, "ip dscp set 1\n"));
    CHECK(contains(bridge.traffic_table, "ip dscp set 2\n"));
    CHECK(contains(bridge.traffic_table, "counter name \"to_1_from_2\""));
    CHECK(contains(bridge.traffic_table, "counter name \"to_2_from_1\""));
    // Without checks two hosts share one veth pair, as before.
    const NetworkPlan plain =
        plan_of("networks: { lan: 10.0.0.0/24 }\nhosts: { a: { lan: auto }, b: { lan: auto } }\n");
    CHECK(plain.namespaces.size() == 2);
}

TEST_CASE("traffic: a host with two links ending in one router counts into one set of counters") {
    const NetworkPlan p = plan_of(R"(
networks: { one: 10.0.1.0/24, two: 10.0.2.0/24, internet: 203.0.113.0/24 }
hosts: { h: { one: auto, two: auto }, s: { internet: auto } }
routers:
  r: { wan: { internet: auto }, lan: { one: auto, two: auto }, nat: full-cone }
traffic:
  - { between: [h, s], via: direct }
)");
    const std::string& r = ns_of(p, "r", NamespacePlan::Kind::router).traffic_table;
    const std::string declaration = "counter to_1_from_2 {";
    CHECK(r.find(declaration) != std::string::npos);
    CHECK(r.find(declaration) == r.rfind(declaration));
    CHECK(contains(r, "chain count_one {"));
    CHECK(contains(r, "chain count_two {"));
}

TEST_CASE("traffic: no check, no table") {
    const NetworkPlan p = plan_of(testing::kSpecExample);
    for (const auto& ns : p.namespaces) CHECK(ns.traffic_table.empty());
}

TEST_CASE("traffic: tags and counter names") {
    auto l = testing::load(kPair);
    REQUIRE(l.topo);
    CHECK(traffic_tag(*l.topo, "server") == 1);
    CHECK(traffic_tag(*l.topo, "bob") == 3);
    CHECK(traffic_tag(*l.topo, "nat") == 0);
    CHECK(traffic_host(*l.topo, 3)->name == "bob");
    CHECK(traffic_host(*l.topo, 0) == nullptr);
    CHECK(traffic_host(*l.topo, 4) == nullptr);
    CHECK(traffic_counter(2, 3) == "to_2_from_3");
    CHECK(parse_traffic_counter("to_2_from_3") == std::pair{2, 3});
    CHECK_FALSE(parse_traffic_counter("to_2_from_3x"));
    CHECK_FALSE(parse_traffic_counter("from_3"));
    CHECK(traffic_counted(*l.topo, "alice"));
    CHECK_FALSE(traffic_counted(*l.topo, "server"));
}
