#include "kernel/features.h"

#include <doctest/doctest.h>

#include "kernel/realizer.h"
#include "plan/plan.h"
#include "plan/ruleset.h"
#include "support/fake_kernel.h"
#include "support/helpers.h"

using namespace testbed;
using testing::contains;

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
