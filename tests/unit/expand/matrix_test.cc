// `matrix:` loading and expansion, and the suite's pure reports.

#include "expand/matrix.h"

#include <doctest/doctest.h>

#include "report/json.h"
#include "report/junit.h"
#include "report/matrix_table.h"
#include "suite/selection.h"
#include "support/helpers.h"

using namespace testbed;
using testing::contains;
using testing::kPair;

TEST_CASE("matrix: one scenario per cell, NAT axes set routers, variables and tables substituted") {
    auto loaded = testing::load(kPair + R"(
matrix:
  nat-a.nat: [full-cone, symmetric]
  nat-b.nat: [port-restricted-cone, { mapping: endpoint-independent, filtering: address-dependent }]
  transport: [udp, tcp]
  outcome:
    rows: nat-a.nat
    columns: nat-b.nat
    values:
      - [direct, direct]
      - [relay, direct]
)");
    REQUIRE_MESSAGE(loaded.topo, loaded.diag.format());
    REQUIRE(loaded.topo->matrix);
    const auto cells = expand_matrix(*loaded.topo);
    REQUIRE(cells.size() == 8);
    const Topology& c = cells[4];  // symmetric, port-restricted-cone, udp
    CHECK(c.name == "pair[symmetric,port-restricted-cone,udp]");
    CHECK(c.matrix_name == "pair");
    CHECK_FALSE(c.matrix);
    REQUIRE(c.cell.size() == 3);
    CHECK(c.cell[0] == std::pair<std::string, std::string>{"nat-a.nat", "symmetric"});
    CHECK(c.find_router("nat-a")->nat->preset == "symmetric");
    CHECK(c.outcome == "relay");
    const auto& start = std::get<StartStep>(c.steps[0].action);
    CHECK(start.argv.back() == "udp");
    CHECK(c.expectations[0].json["result"] == "relay");
    CHECK(c.expectations[0].json["transport"] == "udp");
    CHECK(cells[3].name == "pair[full-cone,EI/AD,tcp]");
    CHECK(cells[3].find_router("nat-b")->nat->behaviour.filtering == Behaviour::address_dependent);
}

TEST_CASE("matrix: errors say where and what") {
    CHECK(
        contains(testing::errors(kPair + "matrix:\n  nat-x.nat: [full-cone]\n  transport: [udp]\n"),
                 "matrix nat-x.nat: unknown router 'nat-x'"));
    CHECK(contains(
        testing::errors(kPair + "matrix:\n  nat-a.nat: [fancy-cone]\n  transport: [udp]\n"),
        "unknown preset 'fancy-cone'"));
    const std::string table = kPair + R"(
matrix:
  nat-a.nat: [full-cone, symmetric]
  transport: [udp]
  outcome: { rows: nat-a.nat, columns: transport, values: [[direct]] }
)";
    CHECK(contains(testing::errors(table),
                   "matrix outcome: 1 rows; expected 2, one per value of nat-a.nat"));
    const std::string axis = kPair + R"(
matrix:
  transport: [udp]
  outcome: { rows: nat-a.nat, columns: transport, values: [[direct]] }
)";
    CHECK(contains(testing::errors(axis), "'nat-a.nat' is not an axis of the matrix"));
    // ${outcome} with no table defining it.
    CHECK(contains(testing::errors(kPair + "matrix:\n  transport: [udp]\n"),
                   "${outcome} is not defined"));
    CHECK(contains(testing::errors(kPair), "(this file has no matrix)"));
}

TEST_CASE("matrix: a stdout regex around ${name} is checked with the name filled in") {
    const std::string base = R"(
name: r
networks: { lan: 10.0.0.0/24 }
hosts: { a: { lan: auto }, b: { lan: auto } }
matrix:
  word: [one, two]
run:
  - start: p
    on: a
    cmd: [echo, "${word}"]
  - wait: p
    timeout: 1s
expect:
)";
    CHECK(testing::errors(base + "  p: { stdout: 'said ${word}!' }\n").empty());
    CHECK(contains(testing::errors(base + "  p: { stdout: 'said (${word}' }\n"),
                   "bad regular expression 'said (${word}'"));
}
