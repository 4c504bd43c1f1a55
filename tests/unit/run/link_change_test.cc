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

TEST_CASE("link steps: each state the steps make is known before the run, for the SKIP") {
    const Topology t = testing::valid_topology(kTopology);
    const auto states = link_states(t);
    REQUIRE(states.size() == 2);
    CHECK(states[0].find_network("lan")->link.out.describe() == "loss 30%");
    CHECK(states[1].find_network("lan")->link.out.describe() == "loss 30%");
    CHECK(states[1].find_host("alice")->attachments[0].link.out.describe() == "rate 1mbit");
}
