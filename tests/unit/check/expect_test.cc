#include "check/expect.h"

#include <doctest/doctest.h>

using namespace testbed;

TEST_CASE("the last JSON object on stdout is the one checked") {
    const std::string out =
        "{\"result\": \"relay\"}\nnoise\n{\"result\": \"direct\", \"rtt_ms\": 0.4}\ntrailing "
        "text\n";
    auto j = last_json_object(out);
    REQUIRE(j);
    CHECK((*j)["result"] == "direct");
    CHECK_FALSE(last_json_object("no json here\n{broken\n"));
}

TEST_CASE("expectations report expected and actual") {
    Expectation e;
    e.process = "a";
    e.exit_code = 0;
    e.json = {{"result", "direct"}, {"transport", "udp"}, {"port", 3478}};
    e.output.push_back({false, false, "punch", {}});
    auto results = check_expectation(
        e,
        outcome_from_text(
            {1, {}}, "{\"result\": \"relay\", \"transport\": \"udp\", \"port\": 3478.0}\n", "", e));
    REQUIRE(results.size() == 5);
    CHECK_FALSE(results[0].passed);
    CHECK(results[0].expected == "exit 0");
    CHECK(results[0].actual == "exit 1");
    for (const auto& r : results) {
        if (r.what == "json.result") {
            CHECK_FALSE(r.passed);
            CHECK(r.actual == "\"relay\"");
        }
        if (r.what == "json.transport" || r.what == "json.port") CHECK(r.passed);
        if (r.what == "stdout") CHECK_FALSE(r.passed);
    }
}

TEST_CASE("a process killed by a signal fails an exit expectation") {
    Expectation e;
    e.process = "a";
    e.exit_code = 0;
    ProcessOutcome o;
    o.started = true;
    o.status.signal = 15;
    auto r = check_expectation(e, o);
    REQUIRE(r.size() == 1);
    CHECK_FALSE(r[0].passed);
    CHECK(r[0].actual == "killed by SIGTERM");
}

TEST_CASE("a process that never started fails every expectation") {
    Expectation e;
    e.process = "a";
    e.exit_code = 0;
    auto r = check_expectation(e, ProcessOutcome{});
    REQUIRE(r.size() == 1);
    CHECK_FALSE(r[0].passed);
}

TEST_CASE("stderr expectations, and patterns a stream must lack") {
    Expectation e;
    e.process = "vpn";
    e.output = {{true, false, "connected to [0-9.]+", {}},
                {true, true, "(?i)error", {}},
                {false, true, "relay", {}},
                {false, false, "never printed", {}}};
    const auto results = check_expectation(
        e, outcome_from_text({0, {}}, "peer up, direct\n",
                             "starting\nconnected to 203.0.113.20\nERROR: tun busy\n", e));
    REQUIRE(results.size() == 4);
    CHECK(results[0].what == "stderr");
    CHECK(results[0].passed);
    CHECK(results[1].what == "stderr-lacks");
    CHECK_FALSE(results[1].passed);
    CHECK(results[1].expected == "no line matching /(?i)error/");
    CHECK(results[1].actual == "a line matched: 'ERROR: tun busy'");
    CHECK(results[2].what == "stdout-lacks");
    CHECK(results[2].passed);
    CHECK(results[3].what == "stdout");
    CHECK_FALSE(results[3].passed);
    CHECK(results[3].actual == "no line matched; stdout ended 'peer up, direct\n'");
}

TEST_CASE("json-range: numbers within bounds, nested fields, and what is not a number") {
    Expectation e;
    e.process = "sink";
    e.json_range = {{"packets", {1500, 1700}},
                    {"rtt", {{"median_ms", {40, 60}}}},
                    {"name", {0, 1}},
                    {"gone", {0, 1}},
                    {"rate", {{"bps", {0, 1}}}}};
    const std::string out =
        R"({"packets": 1712, "rtt": {"median_ms": 50.5}, "name": "x", "rate": {}})"
        "\n";
    auto results = check_expectation(e, outcome_from_text({0, {}}, out, "", e));
    REQUIRE(results.size() == 5);
    auto find = [&](const std::string& what) {
        for (const auto& r : results)
            if (r.what == what) return r;
        FAIL("no result " << what);
        return CheckResult{};
    };
    CHECK_FALSE(find("json.packets").passed);
    CHECK(find("json.packets").expected == "from 1500 to 1700");
    CHECK(find("json.packets").actual == "1712");
    CHECK(find("json.rtt.median_ms").passed);
    CHECK(find("json.name").actual == "\"x\" (not a number)");
    CHECK(find("json.gone").actual == "field missing");
    CHECK(find("json.rate.bps").actual == "field missing");

    auto none = check_expectation(e, outcome_from_text({0, {}}, "no json\n", "", e));
    CHECK(none.at(0).actual == "no JSON object on stdout");
    CHECK(none.at(1).actual == "no JSON object on stdout");
}
