#include "kernel/realizer.h"

#include <doctest/doctest.h>

#include "kernel/features.h"
#include "plan/plan.h"
#include "plan/ruleset.h"
#include "support/fake_kernel.h"
#include "support/helpers.h"

using namespace testbed;
using testing::contains;
using testing::plan_of;

TEST_CASE("realizer: order of kernel calls, and forwarding only on routers") {
    const NetworkPlan p = plan_of(testing::kSpecExample);
    testing::FakeKernel k;
    Realizer r(k, p);
    r.build();
    CHECK(k.called("sysctl nat-a net/ipv4/ip_forward=1"));
    CHECK(k.called("sysctl alice net/ipv4/ip_forward=0"));
    CHECK(k.called("veth alice:home-a nat-a:home-a"));
    CHECK(k.called("enslave internet:p0 to br0"));
    CHECK(k.called("addr alice:home-a 10.0.1.2/24"));
    CHECK(k.called("route alice 0.0.0.0/0 via 10.0.1.1 dev home-a"));
    CHECK(k.called("nft nat-a"));
    // Routes only after every address is in place.
    size_t last_addr = 0, first_route = k.calls.size();
    for (size_t i = 0; i < k.calls.size(); ++i) {
        if (k.calls[i].rfind("addr ", 0) == 0) last_addr = i;
        if (k.calls[i].rfind("route ", 0) == 0) first_route = std::min(first_route, i);
    }
    CHECK(last_addr < first_route);
    r.teardown();
    CHECK(k.alive.empty());
    CHECK(k.calls.back() == "destroy server");  // the mirror: newest first, oldest last
}

TEST_CASE("realizer: a failure part way tears down what was built") {
    const NetworkPlan p = plan_of(testing::kSpecExample);
    testing::FakeKernel k;
    k.fail_at = 60;
    Realizer r(k, p);
    CHECK_THROWS_WITH_AS(r.build(), doctest::Contains("Injected failure"), SystemError);
    CHECK_FALSE(k.names.empty());
    CHECK(k.alive.empty());
}
