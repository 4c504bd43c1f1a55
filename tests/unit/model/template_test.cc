// `matrix:` loading and expansion, and the suite's pure reports.

#include <doctest/doctest.h>

#include "expand/matrix.h"
#include "report/json.h"
#include "report/junit.h"
#include "report/matrix_table.h"
#include "suite/selection.h"
#include "support/helpers.h"

using namespace testbed;
using testing::contains;

namespace {

const std::string kPair = R"(
name: pair
networks: { internet: 203.0.113.0/24, home-a: 10.0.1.0/24, home-b: 10.0.2.0/24 }
hosts: { s: { internet: 203.0.113.1 }, alice: { home-a: auto }, bob: { home-b: auto } }
routers:
  nat-a: { wan: { internet: auto }, lan: { home-a: auto }, nat: full-cone }
  nat-b: { wan: { internet: auto }, lan: { home-b: auto }, nat: full-cone }
run:
  - start: a
    on: alice
    cmd: [peer, --transport, "${transport}"]
  - wait: a
    timeout: 5s
expect:
  a: { exit: 0, json: { result: "${outcome}", transport: "${transport}" } }
)";

}  // namespace

TEST_CASE("substitute and variables_in") {
    CHECK(variables_in("a ${x} b ${y-z}") == std::vector<std::string>{"x", "y-z"});
    CHECK(substitute("${x}/${y}/${x}", {{"x", "1"}}) == "1/${y}/1");
    CHECK(substitute("no vars", {}) == "no vars");
    CHECK(substitute("${unclosed", {{"unclosed", "x"}}) == "${unclosed");
}
