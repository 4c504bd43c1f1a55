// `link` steps that change conditions: what the kernel is asked to do, and
// only that, with the fake kernel.

#include "run/link_change.h"

#include <doctest/doctest.h>

#include "support/fake_kernel.h"
#include "support/helpers.h"

using namespace testbed;
using testing::contains;

namespace {

constexpr const char* kTopology = R"(name: t
networks:
  lan: 10.0.1.0/24
hosts:
  alice: { lan: 10.0.1.1 }
  bob: { lan: 10.0.1.2 }
run:
  - link: { loss: 30% }
    network: lan
    for: 1s
  - link: { out: { rate: 1mbit }, mtu: 1400 }
    on: alice
    network: lan
)";

LinkSpec conditions(const Topology& t, size_t step) {
    return *std::get<LinkStep>(t.steps.at(step).action).conditions;
}

}  // namespace

TEST_CASE("link steps: a network a step conditions is bridged from the start") {
    const NetworkPlan p = testing::plan_of(kTopology);
    CHECK(p.links.size() == 2);    // alice-p0, bob-p1: a bridge, not one veth pair
    CHECK(p.conditioned.empty());  // nothing until the step
}

TEST_CASE("link steps: only what changes reaches the kernel, and back") {
    const Topology t = testing::valid_topology(kTopology);
    const NetworkPlan plan = plan_network(t);
    testing::FakeKernel k;
    k.abilities = {false, true, true};
    LinkChanger changer(t, plan, k, [](size_t i) { return static_cast<int>(i); });
    for (size_t i = 0; i < plan.namespaces.size(); ++i) k.names.push_back(plan.namespaces[i].name);

    // The network loses 30%: an ingress table on the bridge, nothing else.
    const LinkSpec before = changer.set("lan", "", conditions(t, 0));
    CHECK(before.empty());
    REQUIRE(k.rulesets.size() == 1);
    CHECK(contains(k.rulesets[0], "table netdev testbed_link"));
    CHECK(contains(k.rulesets[0], "chain in_p0"));
    CHECK(contains(k.rulesets[0], "chain in_p1"));
    CHECK_FALSE(contains(k.rulesets[0], "delete table"));

    // alice's own rate and MTU on top: her qdisc and MTUs; the table stays.
    k.calls.clear();
    changer.set("lan", "alice", conditions(t, 1));
    CHECK(k.called("qdisc alice:lan tbf rate 1mbit"));
    CHECK(k.called("mtu alice:lan 1400"));
    CHECK(k.called("mtu lan:p0 1400"));
    CHECK(k.rulesets.size() == 1);

    // The burst ends: the table goes in one transaction, the rest stays.
    k.calls.clear();
    changer.set("lan", "", before);
    REQUIRE(k.rulesets.size() == 2);
    CHECK(k.rulesets[1] == "delete table netdev testbed_link\n");
    CHECK(k.calls == std::vector<std::string>{"nft lan"});

    // alice's conditions lifted: her qdisc cleared, MTUs back to 1500.
    k.calls.clear();
    changer.set("lan", "alice", LinkSpec{});
    CHECK(k.called("qdisc alice:lan cleared"));
    CHECK(k.called("mtu alice:lan 1500"));
    CHECK(k.called("mtu lan:p0 1500"));
}

TEST_CASE("link steps: a change this kernel cannot give throws and changes nothing") {
    const Topology t = testing::valid_topology(
        "name: t\nnetworks: { lan: 10.0.1.0/24 }\nhosts: { a: { lan: auto }, b: { lan: auto } "
        "}\nrun:\n  - link: { delay: 20ms }\n    network: lan\n");
    const NetworkPlan plan = plan_network(t);
    testing::FakeKernel k;
    k.abilities = {false, true, true};
    LinkChanger changer(t, plan, k, [](size_t i) { return static_cast<int>(i); });
    CHECK_THROWS_WITH_AS(changer.set("lan", "", conditions(t, 0)),
                         doctest::Contains("delay 20ms needs sch_netem"), Error);
    CHECK(k.calls.empty());
    // Each state the steps make is known before the run, for the SKIP.
    const auto states = link_states(t);
    REQUIRE(states.size() == 1);
    CHECK(states[0].find_network("lan")->link.out.describe() == "delay 20ms");
}
