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

namespace {
constexpr const char* kConditioned = R"(name: t
networks:
  lan: { subnet: 10.0.1.0/24, loss: 2%, rate: 5mbit, mtu: 1400 }
hosts:
  alice: { lan: { address: 10.0.1.1, in: { delay: 20ms } } }
  bob: { lan: 10.0.1.2 }
)";
}  // namespace

TEST_CASE("realizer: link conditions reach both ends of each member's link") {
    const NetworkPlan p = plan_of(kConditioned);
    testing::FakeKernel k;
    k.abilities = {true, true, true};
    Realizer r(k, p);
    r.build();
    // The network's conditions on every member's way out (its own end),
    // alice's own on her way in (the bridge's end), the MTU on both ends.
    CHECK(k.called("qdisc alice:lan netem rate 5mbit"));
    CHECK(k.called("qdisc bob:lan netem rate 5mbit"));
    CHECK(k.called("qdisc lan:p0 netem delay 20ms"));
    CHECK(k.called("mtu alice:lan 1400"));
    CHECK(k.called("mtu lan:p0 1400"));
    // Loss on what arrives at the bridge from each member, from nftables.
    REQUIRE(k.rulesets.size() == 1);
    CHECK(contains(k.rulesets[0], "chain in_p0 {"));
    CHECK(contains(k.rulesets[0], "meta protocol != arp numgen random mod 10000 < 200 drop"));
    r.teardown();
}

TEST_CASE("realizer: a link condition this kernel cannot give stops the build, and nothing stays") {
    const NetworkPlan p = plan_of(kConditioned);
    testing::FakeKernel k;
    k.abilities = {false, true, true};  // no netem: alice's delay
    Realizer r(k, p);
    CHECK_THROWS_WITH_AS(
        r.build(),
        doctest::Contains("network 'lan', what alice receives: delay 20ms needs sch_netem"), Error);
    CHECK(k.alive.empty());
    for (const auto& call : k.calls) CHECK_FALSE(call.starts_with("qdisc"));
}
