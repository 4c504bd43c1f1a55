// The running topology as steps change it: what the kernel is asked to do,
// and only that, with the fake kernel.

#include "run/live_topology.h"

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

/// A fake kernel that names the plan's namespaces, and the running topology over it.
struct Live {
    explicit Live(const std::string& yaml)
        : topo(testing::valid_topology(yaml)),
          plan(plan_network(topo)),
          live(topo, plan, kernel, [](size_t i) { return static_cast<int>(i); }) {
        for (const auto& ns : plan.namespaces) kernel.names.push_back(ns.name);
    }
    Topology topo;
    NetworkPlan plan;
    testing::FakeKernel kernel;
    LiveTopology live;
};

/// alice and bob behind their NATs, the server on the internet; alice can
/// also reach the carrier's network (a phone's cellular side).
constexpr const char* kMobile = R"(name: m
networks:
  internet: 203.0.113.0/24
  wifi: 10.0.1.0/24
  cell: 100.64.0.0/24
  home-b: 10.0.2.0/24
hosts:
  server: { internet: 203.0.113.1 }
  alice: { wifi: 10.0.1.2, cell: 100.64.0.2 }
  bob: { home-b: 10.0.2.2 }
routers:
  nat-a: { wan: { internet: 203.0.113.10 }, lan: { wifi: 10.0.1.1 }, nat: port-restricted-cone }
  carrier: { wan: { internet: 203.0.113.20 }, lan: { cell: 100.64.0.1 }, nat: symmetric }
  nat-b: { wan: { internet: 203.0.113.30 }, lan: { home-b: 10.0.2.1 }, nat: full-cone }
run:
  - move: alice
    to: cell
)";

}  // namespace

TEST_CASE("link steps: only what changes reaches the kernel, and back") {
    const Topology t = testing::valid_topology(kTopology);
    const NetworkPlan plan = plan_network(t);
    testing::FakeKernel k;
    k.abilities = {false, true, true};
    LiveTopology live(t, plan, k, [](size_t i) { return static_cast<int>(i); });
    for (size_t i = 0; i < plan.namespaces.size(); ++i) k.names.push_back(plan.namespaces[i].name);

    // The network loses 30%: an ingress table on the bridge, nothing else.
    const LinkSpec before = live.set_link("lan", "", conditions(t, 0));
    CHECK(before.empty());
    REQUIRE(k.rulesets.size() == 1);
    CHECK(contains(k.rulesets[0], "table netdev testbed_link"));
    CHECK(contains(k.rulesets[0], "chain in_p0"));
    CHECK(contains(k.rulesets[0], "chain in_p1"));
    CHECK_FALSE(contains(k.rulesets[0], "delete table"));

    // alice's own rate and MTU on top: her qdisc and MTUs; the table stays.
    k.calls.clear();
    live.set_link("lan", "alice", conditions(t, 1));
    CHECK(k.called("qdisc alice:lan tbf rate 1mbit"));
    CHECK(k.called("mtu alice:lan 1400"));
    CHECK(k.called("mtu lan:p0 1400"));
    CHECK(k.rulesets.size() == 1);

    // The burst ends: the table goes in one transaction, the rest stays.
    k.calls.clear();
    live.set_link("lan", "", before);
    REQUIRE(k.rulesets.size() == 2);
    CHECK(k.rulesets[1] == "delete table netdev testbed_link\n");
    CHECK(k.calls == std::vector<std::string>{"nft lan"});

    // alice's conditions lifted: her qdisc cleared, MTUs back to 1500.
    k.calls.clear();
    live.set_link("lan", "alice", LinkSpec{});
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
    LiveTopology live(t, plan, k, [](size_t i) { return static_cast<int>(i); });
    CHECK_THROWS_WITH_AS(live.set_link("lan", "", conditions(t, 0)),
                         doctest::Contains("delay 20ms needs sch_netem"), Error);
    CHECK(k.calls.empty());
}

TEST_CASE("live topology: renumbering a host swaps its address and sets its routes again") {
    Live l(kMobile);
    const Ipv4 before = l.live.renumber("alice", "wifi", *Ipv4::parse("10.0.1.77"));
    CHECK(before.str() == "10.0.1.2");
    // The old address goes first (with it the kernel drops the routes
    // through the link), the new one comes, the default route again.
    CHECK(l.kernel.calls ==
          std::vector<std::string>{"unaddr alice:wifi 10.0.1.2/24", "addr alice:wifi 10.0.1.77/24",
                                   "reroute alice 0.0.0.0/0 via 10.0.1.1 dev wifi"});
    CHECK(l.live.topology().attachment_of("alice", "wifi")->addresses[0].address->str() ==
          "10.0.1.77");
}

TEST_CASE("live topology: renumbering a gateway moves the routes through it") {
    Live l(kMobile);
    l.live.renumber("nat-a", "wifi", *Ipv4::parse("10.0.1.254"));
    CHECK(l.kernel.called("unaddr nat-a:wifi 10.0.1.1/24"));
    CHECK(l.kernel.called("addr nat-a:wifi 10.0.1.254/24"));
    // alice's default route went through the old address: it goes, the new one comes.
    CHECK(l.kernel.called("unroute alice 0.0.0.0/0 via 10.0.1.1 dev wifi"));
    CHECK(l.kernel.called("reroute alice 0.0.0.0/0 via 10.0.1.254 dev wifi"));
    CHECK_FALSE(l.kernel.called("reroute bob 0.0.0.0/0 via 10.0.2.1 dev home-b"));
}

TEST_CASE("live topology: a move takes the host's link down and routes through the new network") {
    Live l(kMobile);
    CHECK(l.live.move("alice", "cell") == "wifi");
    CHECK(l.kernel.calls ==
          std::vector<std::string>{"down alice:wifi", "up alice:cell",
                                   "unroute alice 0.0.0.0/0 via 10.0.1.1 dev wifi",
                                   "reroute alice 0.0.0.0/0 via 100.64.0.1 dev cell"});
    // And back: the Wi-Fi comes up again and carries the default route.
    l.kernel.calls.clear();
    CHECK(l.live.move("alice", "wifi") == "cell");
    CHECK(l.kernel.calls ==
          std::vector<std::string>{"down alice:cell", "up alice:wifi",
                                   "unroute alice 0.0.0.0/0 via 100.64.0.1 dev cell",
                                   "reroute alice 0.0.0.0/0 via 10.0.1.1 dev wifi"});
}

TEST_CASE("live topology: set-nat is remembered, so a later plan keeps it") {
    Live l(kMobile);
    NatSpec full;
    full.preset = "full-cone";
    full.behaviour = *nat_preset("full-cone");
    l.live.set_nat("nat-a", full);
    CHECK(l.kernel.calls.empty());  // every router translated before and after: no route moves
    CHECK(l.live.topology().find_router("nat-a")->nat->preset == "full-cone");
    l.live.renumber("alice", "wifi", *Ipv4::parse("10.0.1.9"));
    CHECK(l.live.topology().find_router("nat-a")->nat->preset == "full-cone");
}
