#include "run/capture.h"

#include <doctest/doctest.h>

#include "check/ladder.h"
#include "plan/plan.h"
#include "support/helpers.h"

using namespace testbed;

namespace {

using Bytes = std::vector<uint8_t>;

}  // namespace

TEST_CASE("plan_taps: every network seen once, and by whom") {
    auto l = testing::load(testing::kSpecExample);
    REQUIRE(l.topo);
    const NetworkPlan plan = plan_network(*l.topo);
    const std::vector<TapPlan> taps = plan_taps(plan);
    size_t internet = 0, home_a = 0;
    for (const auto& t : taps) {
        if (t.network == "internet") {
            ++internet;
            CHECK(t.inbound);  // a bridge port's arriving side: its member's frames
            CHECK(plan.namespaces[t.ns].kind == NamespacePlan::Kind::bridge);
        }
        if (t.network == "home-a") {
            ++home_a;
            CHECK(plan.namespaces[t.ns].name == "alice");
            CHECK(t.sender == (t.inbound ? "nat-a" : "alice"));
        }
    }
    CHECK(internet == 3);  // server, nat-a, nat-b
    CHECK(home_a == 2);    // both directions of alice's interface
}
