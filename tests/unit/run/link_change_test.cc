// What `link` steps with conditions make of a topology before a run: the
// networks they name are bridged from the start, and each state is known.

#include "run/link_change.h"

#include <doctest/doctest.h>

#include "support/helpers.h"

using namespace testbed;
using testing::contains;

namespace {

/// Two steps on one lan: a loss burst for all, then alice's own line.
constexpr const char* kTopology = R"(name: states
networks: { lan: 10.0.1.0/24 }
hosts: { alice: { lan: auto }, bob: { lan: auto } }
run:
  - { link: { loss: 30% }, network: lan, for: 1s }
  - { link: { out: { rate: 1mbit }, mtu: 1400 }, on: alice, network: lan }
)";

}  // namespace

TEST_CASE("link steps: a network a step conditions is bridged from the start") {
    const NetworkPlan p = testing::plan_of(kTopology);
    CHECK(p.links.size() == 2);    // alice-p0, bob-p1: a bridge, not one veth pair
    CHECK(p.conditioned.empty());  // nothing until the step
}

TEST_CASE("link steps: each state the steps make is judged before the run, for the SKIP") {
    const Topology t = testing::valid_topology(kTopology);
    int asked = 0;
    const auto missing = missing_link_conditions_of_run(t, [&] {
        ++asked;
        return LinkAbilities{false, false, false, true};  // neither netem, tbf nor ingress
    });
    CHECK(asked == 1);
    std::string all;
    for (const auto& m : missing) all += m + "\n";
    CHECK_MESSAGE(contains(all, "loss 30%"), all);    // the first step's state
    CHECK_MESSAGE(contains(all, "rate 1mbit"), all);  // the second's
}

TEST_CASE("link steps: thousands of steps cost one topology at a time, each state once") {
    std::string yaml =
        "networks: { lan: 10.0.1.0/24 }\n"
        "hosts: { alice: { lan: auto }, bob: { lan: auto } }\nrun:\n";
    for (int i = 0; i < 2000; ++i)
        yaml += i % 2 ? "  - { link: { loss: 1% }, network: lan }\n"
                      : "  - { link: { loss: 2% }, network: lan }\n";
    const Topology t = testing::valid_topology(yaml);
    const auto missing = missing_link_conditions_of_run(t, [] {
        return LinkAbilities{false, false, false, true};
    });
    CHECK(missing.size() == 4);  // each loss, from each member, named once
}
