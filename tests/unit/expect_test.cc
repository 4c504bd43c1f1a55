#include "core/expect.h"

#include <doctest/doctest.h>

#include "core/graph.h"
#include "core/ready.h"
#include "helpers.h"

using namespace testbed;

namespace {

ProcessOutcome exited(int code, std::string out) {
    ProcessOutcome o;
    o.started = true;
    o.status.code = code;
    o.stdout_text = std::move(out);
    return o;
}

}  // namespace

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
    e.stdout_regex = "punch";
    auto results = check_expectation(
        e, exited(1, "{\"result\": \"relay\", \"transport\": \"udp\", \"port\": 3478.0}\n"));
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

TEST_CASE("port readiness reads the /proc/net tables") {
    const std::string udp =
        "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  "
        "timeout inode ref pointer drops\n"
        "  1: 00000000:0D96 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 "
        "1 2 0 0\n";
    CHECK(table_has_port(udp, false, 3478));
    CHECK_FALSE(table_has_port(udp, false, 3479));
    const std::string tcp =
        "  sl  local_address rem_address   st\n"
        "   0: 0100007F:1F90 00000000:0000 0A\n"
        "   1: 0100007F:1F91 0100007F:9C40 01\n";
    CHECK(table_has_port(tcp, true, 8080));
    CHECK_FALSE(table_has_port(tcp, true, 8081));  // established, not listening
}

TEST_CASE("graph: DOT with every node and network") {
    auto l = testing::load(testing::kSpecExample);
    REQUIRE(l.topo);
    const std::string dot = topology_dot(*l.topo);
    CHECK(testing::contains(dot, "\"net:internet\""));
    CHECK(testing::contains(dot, "\"node:nat-a\" [shape=diamond"));
    CHECK(testing::contains(dot, "nat: port-restricted-cone"));
    CHECK(testing::contains(dot, "\"node:alice\" -- \"net:home-a\" [label=\"10.0.1.2\"]"));
}
