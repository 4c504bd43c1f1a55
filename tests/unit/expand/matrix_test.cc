// `matrix:` loading and expansion, and the suite's pure reports.

#include "expand/matrix.h"

#include <doctest/doctest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>

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

TEST_CASE("matrix: exit from a variable, and a table of one axis") {
    const std::string base = R"(
name: codes
networks: { lan: 10.0.0.0/24 }
hosts: { a: { lan: auto }, b: { lan: auto } }
matrix:
  mode: [good, bad, odd]
  code: { rows: mode, values: [0, 3, many] }
run:
  - start: p
    on: a
    cmd: [sh, -c, "exit ${code}"]
  - wait: p
    timeout: 1s
expect:
  p: { exit: "${code}", stderr-lacks: "${mode} failure" }
)";
    auto loaded = testing::load(base);
    REQUIRE_MESSAGE(loaded.topo, loaded.diag.format());
    const auto cells = expand_matrix(*loaded.topo);
    REQUIRE(cells.size() == 3);
    CHECK(cells[0].expectations[0].exit_code == 0);
    CHECK(cells[1].expectations[0].exit_code == 3);
    CHECK(cells[1].expectations[0].output[0].regex == "bad failure");
    CHECK(cells[1].outcome == "3");
    // The third cell's code is not a code: validating that cell says so, with the cell's name.
    CHECK_FALSE(cells[2].expectations[0].exit_code);
    Topology odd = cells[2];
    Diagnostics diag("test.yaml");
    validate_topology(odd, diag);
    CHECK_MESSAGE(contains(diag.format(),
                           "test.yaml:15:3: error: expect 'p' exit: ${code} is not "
                           "a number from 0 to 255 in cell codes[odd]"),
                  diag.format());
}

TEST_CASE("matrix: a traffic path from a variable, checked in each cell") {
    const std::string base = R"(
name: paths
networks: { lan: 10.0.0.0/24 }
hosts: { a: { lan: auto }, b: { lan: auto } }
matrix:
  mode: [open, closed, odd]
  path: { rows: mode, values: [direct, none, sideways] }
traffic:
  - { between: [a, b], via: "${path}" }
)";
    auto loaded = testing::load(base);
    REQUIRE_MESSAGE(loaded.topo, loaded.diag.format());
    CHECK_FALSE(loaded.diag.has_errors());
    const auto cells = expand_matrix(*loaded.topo);
    REQUIRE(cells.size() == 3);
    CHECK(cells[0].traffic[0].via == "direct");
    CHECK(cells[1].traffic[0].via == "none");
    Topology odd = cells[2];
    Diagnostics diag("test.yaml");
    validate_topology(odd, diag);
    CHECK_MESSAGE(contains(diag.format(),
                           "test.yaml:9:5: error: traffic between a and b: via 'sideways' is not "
                           "direct, relay or none in cell paths[odd]"),
                  diag.format());
}

TEST_CASE("matrix: a table of one axis from a CSV file, a line per value") {
    const auto dir = std::filesystem::temp_directory_path() / "one-axis-XXXXXX";
    std::string path = dir.string();
    REQUIRE(::mkdtemp(path.data()) != nullptr);
    std::ofstream(path + "/x.csv") << "# nat, outcome\nfull-cone, direct\nsymmetric, relay\n";
    std::ofstream(path + "/bad.csv") << "full-cone, direct, extra\nsymmetric, relay\n";
    const std::string yaml = kPair + R"(
matrix:
  nat-a.nat: [full-cone, symmetric]
  transport: [udp]
  outcome: { rows: nat-a.nat, file: x.csv }
)";
    Diagnostics diag(path + "/test.yaml");
    auto topo = load_topology_text(yaml, diag);
    REQUIRE_MESSAGE(topo, diag.format());
    const auto cells = expand_matrix(*topo);
    REQUIRE(cells.size() == 2);
    CHECK(cells[0].outcome == "direct");
    CHECK(cells[1].expectations[0].json["result"] == "relay");
    std::string bad = yaml;
    bad.replace(bad.find("x.csv"), 5, "bad.csv");
    Diagnostics bad_diag(path + "/test.yaml");
    (void)load_topology_text(bad, bad_diag);
    CHECK(bad_diag.has_errors());
    CHECK(contains(bad_diag.format(), "the row for 'full-cone' has 2 values; expected one"));
    std::filesystem::remove_all(path);
}
