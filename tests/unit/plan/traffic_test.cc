// The traffic table of each host: its tag on what leaves, counters by
// sender on what arrives where a check needs them.

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

const std::string& ruleset_of(const NetworkPlan& p, const std::string& host) {
    return p.namespaces[p.index_of(host, NamespacePlan::Kind::host)].ruleset;
}

}  // namespace

TEST_CASE(
    "traffic: every host tags what it sends on its interfaces, checked hosts count by sender") {
    const NetworkPlan p = plan_of(kPair);
    // Tags follow the order of the hosts in the file.
    const std::string& alice = ruleset_of(p, "alice");
    CHECK(contains(alice, "oifname { \"home\" } ip dscp set 2\n"));
    CHECK(contains(alice, "counter from_1 { comment \"from server\" }"));
    CHECK(contains(alice, "iifname { \"home\" } ip dscp 3 counter name \"from_3\"\n"));
    CHECK_FALSE(contains(alice, "from_2"));  // not from itself
    // The server is a possible relay: it tags, and counts nothing.
    const std::string& server = ruleset_of(p, "server");
    CHECK(contains(server, "ip dscp set 1\n"));
    CHECK_FALSE(contains(server, "counter"));
    // The router is untouched: it forwards tags as they are.
    const auto& nat = p.namespaces[p.index_of("nat", NamespacePlan::Kind::router)].ruleset;
    CHECK_FALSE(contains(nat, "dscp"));
}

TEST_CASE("traffic: no check, no table") {
    const NetworkPlan p = plan_of(testing::kSpecExample);
    CHECK(ruleset_of(p, "alice").empty());
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
    CHECK(traffic_counter(3) == "from_3");
    CHECK(traffic_counted(*l.topo, "alice"));
    CHECK_FALSE(traffic_counted(*l.topo, "server"));
}
