// `matrix:` loading and expansion, and the suite's pure reports.

#include <doctest/doctest.h>

#include "expand/matrix.h"
#include "report/html.h"
#include "report/json.h"
#include "report/junit.h"
#include "report/matrix_table.h"
#include "report/terminal.h"
#include "suite/selection.h"
#include "support/helpers.h"

using namespace testbed;
using testing::contains;
using testing::kPair;

TEST_CASE("suite: filter and shard select scenarios, reports are JUnit and tables") {
    auto loaded = testing::load(kPair + R"(
matrix:
  nat-a.nat: [full-cone, symmetric]
  nat-b.nat: [full-cone, symmetric]
  transport: [udp]
  outcome: { rows: nat-a.nat, columns: nat-b.nat, values: [[direct, direct], [direct, relay]] }
)");
    REQUIRE(loaded.topo);
    const auto cells = expand_matrix(*loaded.topo);
    SuiteOptions o;
    o.filter = Regex::compile("symmetric,symmetric");
    CHECK(select_scenarios(cells, o).size() == 1);
    o.filter.reset();
    o.shard_count = 3;
    o.shard_index = 1;
    const auto shard = select_scenarios(cells, o);
    REQUIRE(shard.size() == 1);
    CHECK(shard[0] == &cells[1]);

    std::vector<ScenarioResult> results(cells.size());
    for (size_t i = 0; i < cells.size(); ++i) {
        results[i].topo = &cells[i];
        RunReport r;
        r.name = cells[i].name;
        r.passed = i != 3;
        if (!r.passed) r.checks.push_back({"a", "json.result", "\"relay\"", "\"direct\"", false});
        results[i].runs.push_back(r);
    }
    const std::string tables = format_matrix_tables(results);
    CHECK(contains(tables, "pair (transport=udp)"));
    CHECK(contains(tables, "nat-a.nat \\ nat-b.nat"));
    // What came first, where a reader looks, then what was expected.
    CHECK(contains(tables, "direct FAIL (expected relay)"));
    CHECK_FALSE(contains(tables, "relay FAIL"));
    CHECK(contains(tables, "1/2 50%"));
    CHECK(contains(tables, "total: 3/4 passed (75%)"));
    const std::string xml = junit_xml(results);
    CHECK(contains(xml,
                   R"(<testsuites name="testbed" tests="4" failures="1" errors="0" skipped="0")"));
    CHECK(contains(
        xml,
        R"(<failure message="a json.result: expected &quot;relay&quot;, got &quot;direct&quot;")"));
    const auto json = nlohmann::json::parse(suite_json(results));
    CHECK(json["summary"]["failed"] == 1);
    CHECK(json["scenarios"][3]["cell"]["nat-b.nat"] == "symmetric");
    CHECK(report_from_json(report_to_json(results[3].runs[0])).checks.size() == 1);
}

TEST_CASE("reports: a failed cell says why its table expected what it did") {
    auto loaded = testing::load(kPair + R"(
matrix:
  transport: [udp, tcp]
  outcome: { keys: [transport], values: [[udp, direct, "both cones & no filter"], [tcp, direct]] }
)");
    REQUIRE_MESSAGE(loaded.topo, loaded.diag.format());
    const auto cells = expand_matrix(*loaded.topo);
    std::vector<ScenarioResult> results(cells.size());
    for (size_t i = 0; i < cells.size(); ++i) {
        results[i].topo = &cells[i];
        RunReport r;
        r.name = cells[i].name;
        r.checks.push_back({"a", "json.result", "\"direct\"", "\"failed\"", false});
        results[i].runs.push_back(r);
    }
    CHECK(contains(format_report(results[0].runs[0], false, cells[0].outcome_reason),
                   "  expected because: both cones & no filter\n"));
    CHECK_FALSE(contains(format_report(results[1].runs[0], false, cells[1].outcome_reason),
                         "expected because"));
    RunReport passed = results[0].runs[0];
    passed.passed = true;
    passed.checks[0].passed = true;
    CHECK_FALSE(contains(format_report(passed, false, cells[0].outcome_reason), "because"));
    const std::string html = html_report(results);
    CHECK(contains(html, "title=\"both cones &amp; no filter\""));
    CHECK(contains(html, "<p>expected direct because: both cones &amp; no filter</p>"));
    const auto json = nlohmann::json::parse(suite_json(results));
    CHECK(json["scenarios"][0]["outcome_reason"] == "both cones & no filter");
    CHECK(json["scenarios"][1]["outcome_reason"] == "");
}
