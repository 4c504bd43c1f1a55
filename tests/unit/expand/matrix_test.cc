// `matrix:` loading and expansion, and the suite's pure reports.

#include "expand/matrix.h"

#include <doctest/doctest.h>
#include <fmt/core.h>
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

namespace {

/// A fresh folder for a topology and the CSV files it names, removed at the end.
class TableFolder {
  public:
    TableFolder() {
        path_ = (std::filesystem::temp_directory_path() / "tables-XXXXXX").string();
        REQUIRE(::mkdtemp(path_.data()) != nullptr);
    }
    ~TableFolder() { std::filesystem::remove_all(path_); }
    TableFolder(const TableFolder&) = delete;
    TableFolder& operator=(const TableFolder&) = delete;

    void write(const std::string& name, const std::string& text) const {
        std::ofstream(path_ + "/" + name) << text;
    }
    void link(const std::string& name, const std::string& target) const {
        std::filesystem::remove(path_ + "/" + name);
        std::filesystem::create_symlink(target, path_ + "/" + name);
    }
    /// The cells of `yaml` as a file in this folder; it must load.
    std::vector<Topology> cells(const std::string& yaml) const {
        Diagnostics diag(path_ + "/test.yaml");
        auto topo = load_topology_text(yaml, diag);
        REQUIRE_MESSAGE(topo, diag.format());
        return expand_matrix(*topo);
    }
    /// The errors of `yaml` as a file in this folder.
    std::string errors(const std::string& yaml) const {
        Diagnostics diag(path_ + "/test.yaml");
        (void)load_topology_text(yaml, diag);
        CHECK(diag.has_errors());
        return diag.format();
    }

  private:
    std::string path_;
};

}  // namespace

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

TEST_CASE("matrix: ROUTER+ROUTER.nat gives every router named the same behaviour per cell") {
    auto loaded = testing::load(kPair + R"(
matrix:
  nat-a+nat-b.nat: [symmetric, { mapping: endpoint-independent, icmp-errors: drop }]
  transport: [tcp]
  outcome: { rows: nat-a+nat-b.nat, values: [relay, direct] }
)");
    REQUIRE_MESSAGE(loaded.topo, loaded.diag.format());
    const auto cells = expand_matrix(*loaded.topo);
    REQUIRE(cells.size() == 2);
    for (const char* router : {"nat-a", "nat-b"}) {
        CHECK(cells[0].find_router(router)->nat->preset == "symmetric");
        CHECK_FALSE(cells[1].find_router(router)->nat->behaviour.tcp.icmp_errors);
    }
    CHECK(cells[1].outcome == "direct");
    CHECK(contains(testing::errors(kPair + "matrix:\n  nat-a+nat-x.nat: [full-cone]\n"
                                           "  transport: [udp]\n  outcome: { rows: transport, "
                                           "values: [direct] }\n"),
                   "matrix nat-a+nat-x.nat: unknown router 'nat-x'"));
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
    const TableFolder folder;
    folder.write("x.csv", "# nat, outcome\nfull-cone, direct\nsymmetric, relay\n");
    folder.write("bad.csv", "full-cone, direct, extra\nsymmetric, relay\n");
    const std::string yaml = kPair + R"(
matrix:
  nat-a.nat: [full-cone, symmetric]
  transport: [udp]
  outcome: { rows: nat-a.nat, file: x.csv }
)";
    const auto cells = folder.cells(yaml);
    REQUIRE(cells.size() == 2);
    CHECK(cells[0].outcome == "direct");
    CHECK(cells[1].expectations[0].json["result"] == "relay");
    std::string bad = yaml;
    bad.replace(bad.find("x.csv"), 5, "bad.csv");
    CHECK(contains(folder.errors(bad), "the row for 'full-cone' has 2 values; expected one"));
}

TEST_CASE("matrix: a table file lies in the topology's folder or below it") {
    // A root run must not read (and validate print the fields of) a file the
    // topology's author could not read: /etc/shadow, ../, or a link out.
    const TableFolder folder;
    folder.write("x.csv", "full-cone, direct\nsymmetric, relay\n");
    const std::string yaml = kPair + R"(
matrix:
  nat-a.nat: [full-cone, symmetric]
  transport: [udp]
  outcome: { rows: nat-a.nat, file: x.csv }
)";
    REQUIRE(folder.cells(yaml).size() == 2);
    for (const std::string path : {"/etc/shadow", "../x.csv", "out.csv"}) {
        std::string bad = yaml;
        bad.replace(bad.find("x.csv"), 5, path);
        if (path == "out.csv") folder.link("out.csv", "/etc/passwd");
        const std::string errors = folder.errors(bad);
        CHECK_MESSAGE(contains(errors, "not in the topology's folder or below it"), errors);
        CHECK_FALSE(contains(errors, "root:"));
    }
}

TEST_CASE("matrix: what a cell's values make is validated: patterns compile, names exist") {
    auto loaded = testing::load(R"(
name: pair
networks: { home: 10.0.1.0/24 }
hosts: { alice: { home: auto } }
matrix:
  pat: ['ok', '(unclosed', '${nowhere}']
  arg: ['${run_dir}/x', '${nope}', 'plain']
run:
  - start: p
    on: alice
    cmd: [sh, -c, 'echo ${arg}']
    ready: { stdout: '${pat}' }
expect:
  p: { stdout: '${pat}' }
)");
    REQUIRE_MESSAGE(loaded.topo, loaded.diag.format());
    const auto cells = expand_matrix(*loaded.topo);
    REQUIRE(cells.size() == 9);
    std::string all;
    for (auto cell : cells) {
        Diagnostics diag("test.yaml");
        validate_topology(cell, diag);
        all += diag.format();
    }
    CHECK_MESSAGE(contains(all,
                           "start p ready in cell pair[(unclosed,${run_dir}/x]: bad regular "
                           "expression '(unclosed'"),
                  all);
    CHECK_MESSAGE(contains(all,
                           "expect p stdout in cell pair[(unclosed,plain]: bad regular "
                           "expression '(unclosed'"),
                  all);
    CHECK(
        contains(all, "expect p stdout in cell pair[${nowhere},plain]: ${nowhere} is not defined"));
    CHECK(contains(all, "start p cmd in cell pair[ok,${nope}]: ${nope} is not defined"));
    CHECK_FALSE(contains(all, "pair[ok,${run_dir}/x]"));  // the one sound cell
    CHECK_FALSE(contains(all, "pair[ok,plain]"));
    // The ready pattern receives the cell's value (it was left as written before).
    const auto* start = std::get_if<StartStep>(&cells[0].steps[0].action);
    REQUIRE(start);
    CHECK(start->ready.regex == "ok");
}

TEST_CASE("matrix: a value that names itself thousands of times is one error, not thousands") {
    // Found by the loader fuzzer under -rss_limit_mb=256: every ${v} left in
    // the command was an error of its own, each naming a 4 KB cell.
    std::string value(4000, 'x');
    for (int i = 0; i < 100; ++i) value += "${v}";
    std::string uses;
    for (int i = 0; i < 1000; ++i) uses += "${v}";
    auto loaded = testing::load(
        "name: pair\nnetworks: { lan: 10.0.0.0/24 }\n"
        "hosts: { a: { lan: auto }, b: { lan: auto } }\n"
        "matrix:\n  v: ['" +
        value +
        "']\nrun:\n  - start: p\n    on: a\n"
        "    cmd: [echo, \"" +
        uses + "\"]\n");
    REQUIRE_MESSAGE(loaded.topo, loaded.diag.format());
    auto cells = expand_matrix(*loaded.topo);
    REQUIRE(cells.size() == 1);
    Diagnostics diag("test.yaml");
    validate_topology(cells[0], diag);
    CHECK(diag.all().size() == 1);
}

TEST_CASE("matrix: a ROUTER.port-mapping axis sets or clears a router's port mapping") {
    auto loaded = testing::load(kPair + R"(
matrix:
  nat-a.port-mapping: [none, upnp, nat-pmp, pcp, { upnp: true, pcp: true, lease-max: 1h }]
  transport: [udp]
  outcome: { rows: nat-a.port-mapping, values: [relay, direct, direct, direct, direct] }
)");
    REQUIRE_MESSAGE(loaded.topo, loaded.diag.format());
    const auto cells = expand_matrix(*loaded.topo);
    REQUIRE(cells.size() == 5);
    CHECK_FALSE(cells[0].find_router("nat-a")->port_mapping);
    CHECK(cells[1].find_router("nat-a")->port_mapping->upnp);
    CHECK_FALSE(cells[1].find_router("nat-a")->port_mapping->pcp);
    CHECK(cells[2].find_router("nat-a")->port_mapping->nat_pmp);
    CHECK(cells[3].find_router("nat-a")->port_mapping->pcp);
    const auto& both = *cells[4].find_router("nat-a")->port_mapping;
    CHECK((both.upnp && both.pcp && !both.nat_pmp));
    CHECK(both.lease_max == std::chrono::hours(1));
    CHECK(cells[4].name == "pair[upnp+pcp,udp]");
    CHECK_FALSE(cells[1].find_router("nat-b")->port_mapping);

    CHECK(contains(testing::errors(kPair + "matrix:\n  nat-a.port-mapping: [upnp, igd]\n"
                                           "  transport: [udp]\n  outcome: direct\n"),
                   "matrix nat-a.port-mapping: expected none, upnp, nat-pmp, pcp or a "
                   "port-mapping map, found 'igd'"));
    CHECK(contains(testing::errors(kPair + "matrix:\n  nat-q.port-mapping: [upnp]\n"),
                   "matrix nat-q.port-mapping: unknown router 'nat-q'"));
    CHECK(contains(testing::errors(kPair + "matrix:\n  nat-a.port-mapping: [{ upnp: false }]\n"),
                   "no protocol"));
}

TEST_CASE("matrix: a table keyed by any number of axes, every combination once") {
    const std::string base = kPair + R"(
matrix:
  nat-a.nat: [full-cone, symmetric]
  nat-b.nat: [full-cone, symmetric]
  transport: [udp, tcp]
  outcome:
    keys: [nat-a.nat, nat-b.nat, transport]
    values:
)";
    std::string lines;
    for (const char* a : {"full-cone", "symmetric"}) {
        for (const char* b : {"full-cone", "symmetric"}) {
            for (const char* t : {"udp", "tcp"}) {
                const bool relay = std::string(a) == "symmetric" && std::string(b) == "symmetric";
                lines += fmt::format("      - [{}, {}, {}, {}]\n", a, b, t,
                                     relay && std::string(t) == "tcp" ? "relay" : "direct");
            }
        }
    }
    auto loaded = testing::load(base + lines);
    REQUIRE_MESSAGE(loaded.topo, loaded.diag.format());
    const auto cells = expand_matrix(*loaded.topo);
    REQUIRE(cells.size() == 8);
    CHECK(cells[6].name == "pair[symmetric,symmetric,udp]");
    CHECK(cells[6].outcome == "direct");
    CHECK(cells[7].outcome == "relay");
    CHECK(cells[7].expectations[0].json["result"] == "relay");

    const std::string missing = base + lines.substr(0, lines.rfind("      - ["));
    CHECK(contains(testing::errors(missing),
                   "matrix outcome: 7 lines; expected 8, one per combination of nat-a.nat, "
                   "nat-b.nat, transport"));
    CHECK(contains(testing::errors(base + lines + "      - [full-cone, full-cone, udp, relay]\n"),
                   "matrix outcome: values line 9: (full-cone, full-cone, udp) has a value "
                   "already"));
    CHECK(contains(testing::errors(base + "      - [full-cone, cone, udp, relay]\n"),
                   "values line 1: 'cone' is not a value of nat-b.nat (its values: full-cone, "
                   "symmetric)"));
    CHECK(contains(testing::errors(base + "      - [full-cone, relay]\n"),
                   "values line 1 has 2 values; expected 4"));
    CHECK(contains(testing::errors(kPair + "matrix:\n  transport: [udp]\n  outcome: { keys: "
                                           "[transport], rows: transport, values: [[udp, x]] }\n"),
                   "expected keys (a list of axes) with values or file, and neither rows nor "
                   "columns"));
}

TEST_CASE("matrix: a keyed table from a CSV names the file's own line in errors") {
    const TableFolder folder;
    folder.write("good.csv",
                 "# a, transport, outcome\nfull-cone, udp, direct\nsymmetric, udp, relay\n");
    folder.write("bad.csv",
                 "# a, transport, outcome\n\nfull-cone, udp, direct\nsymmetric, tcp, relay\n");
    const std::string yaml = kPair + R"(
matrix:
  nat-a.nat: [full-cone, symmetric]
  transport: [udp]
  outcome: { keys: [nat-a.nat, transport], file: good.csv }
)";
    const auto cells = folder.cells(yaml);
    REQUIRE(cells.size() == 2);
    CHECK(cells[1].outcome == "relay");
    std::string bad = yaml;
    bad.replace(bad.find("good.csv"), 8, "bad.csv");
    CHECK(contains(folder.errors(bad),
                   "bad.csv line 4: 'tcp' is not a value of transport (its values: udp)"));
}

TEST_CASE("matrix: a keyed line may end with the reason for its value, commas and all") {
    const TableFolder folder;
    folder.write("why.csv",
                 "full-cone, udp, direct, a full cone lets anyone in, so the first punch passes\n"
                 "symmetric, udp, relay\n");
    const auto cells = folder.cells(kPair + R"(
matrix:
  nat-a.nat: [full-cone, symmetric]
  transport: [udp]
  outcome: { keys: [nat-a.nat, transport], file: why.csv }
)");
    REQUIRE(cells.size() == 2);
    CHECK(cells[0].outcome == "direct");
    CHECK(cells[0].outcome_reason == "a full cone lets anyone in, so the first punch passes");
    CHECK(cells[1].outcome == "relay");
    CHECK(cells[1].outcome_reason.empty());

    auto inline_reason = testing::load(kPair + R"(
matrix:
  transport: [udp, tcp]
  outcome: { keys: [transport], values: [[udp, direct, both cones], [tcp, direct]] }
)");
    REQUIRE_MESSAGE(inline_reason.topo, inline_reason.diag.format());
    CHECK(expand_matrix(*inline_reason.topo)[0].outcome_reason == "both cones");
}

TEST_CASE("matrix: an unquoted ${var} in json takes the cell's value as a plain scalar") {
    const std::string pair_without_expect = kPair.substr(0, kPair.find("expect:"));
    auto loaded = testing::load(pair_without_expect + R"(
matrix:
  transport: [udp, tcp]
  useful: { rows: transport, values: [true, "3"] }
expect:
  a:
    json:
      useful: ${useful}
      quoted: "${useful}"
      nested:
        list:
          - a
          - "${useful}"
          - ${useful}
)");
    REQUIRE_MESSAGE(loaded.topo, loaded.diag.format());
    const auto cells = expand_matrix(*loaded.topo);
    REQUIRE(cells.size() == 2);
    const auto& e = cells[0].expectations.back();
    CHECK(e.json["useful"] == true);
    CHECK(e.json["quoted"] == "true");
    CHECK(e.json["nested"]["list"][1] == "true");
    CHECK(e.json["nested"]["list"][2] == true);
    CHECK(cells[1].expectations.back().json["useful"] == 3);
}
