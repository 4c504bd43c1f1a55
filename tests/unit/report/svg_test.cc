// Graphviz's library draws a topology's DOT as SVG in this process.

#include "report/svg.h"

#include <doctest/doctest.h>

#include "base/error.h"
#include "report/dot.h"
#include "support/helpers.h"

using namespace testbed;
using testing::contains;

TEST_CASE("svg: a topology's graph is drawn in-process, every node in it") {
    const Topology topo = testing::valid_topology(R"(
networks: { internet: 203.0.113.0/24, home: 10.0.1.0/24 }
hosts: { server: { internet: 203.0.113.1 }, alice: { home: auto } }
routers: { nat: { wan: { internet: 203.0.113.10 }, lan: { home: auto }, nat: symmetric } }
)");
    const std::string svg = render_svg(topology_dot(topo));
    CHECK(contains(svg, "<svg"));
    CHECK(contains(svg, "</svg>"));
    for (const char* name : {"server", "alice", "nat", "internet", "home"})
        CHECK(contains(svg, name));
}

TEST_CASE("svg: a graph Graphviz cannot read is an error with its reason") {
    CHECK_THROWS_AS(render_svg("graph { a -- "), Error);
}
