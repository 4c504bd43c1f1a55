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
