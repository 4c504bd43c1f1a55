#include "report/dot.h"

#include <doctest/doctest.h>

#include "support/helpers.h"

using namespace testbed;

TEST_CASE("graph: DOT with every node and network") {
    auto l = testing::load(testing::kSpecExample);
    REQUIRE(l.topo);
    const std::string dot = topology_dot(*l.topo);
    CHECK(testing::contains(dot, "\"net:internet\""));
    CHECK(testing::contains(dot, "\"node:nat-a\" [shape=diamond"));
    CHECK(testing::contains(dot, "nat: port-restricted-cone"));
    CHECK(testing::contains(dot, "\"node:alice\" -- \"net:home-a\" [label=\"10.0.1.2\"]"));
}
