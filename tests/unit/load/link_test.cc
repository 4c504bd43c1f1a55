// Link conditions in topology files: on a network, on an attachment, per
// direction, and the errors for values no link can have.

#include <doctest/doctest.h>

#include "support/helpers.h"

using namespace testbed;
using testing::contains;

namespace {

/// A small topology with `networks` and `alice` written as given.
std::string with(const std::string& networks, const std::string& alice) {
    return "name: t\nnetworks:\n" + networks + "\nhosts:\n  alice: " + alice +
           "\n  bob: { home: auto }\n";
}

}  // namespace

TEST_CASE("link: a network as a map takes conditions beside its subnet") {
    const Topology t = testing::valid_topology(with(
        "  home: { subnet: 10.0.1.0/24, delay: 20ms, jitter: 5ms, loss: 1%, rate: 10mbit, mtu: "
        "1400 }",
        "{ home: auto }"));
    const Network& home = t.networks.at(0);
    CHECK(home.subnet.str() == "10.0.1.0/24");
    CHECK(home.link.out.describe() == "delay 20ms, jitter 5ms, loss 1%, rate 10mbit");
    CHECK(home.link.in.empty());
    CHECK(home.link.mtu == 1400);
    // The plain form stays valid and has no conditions.
    const Topology plain = testing::valid_topology(with("  home: 10.0.1.0/24", "{ home: auto }"));
    CHECK(plain.networks.at(0).link.empty());
}

TEST_CASE("link: an attachment's conditions, both directions or one") {
    const Topology t = testing::valid_topology(
        with("  home: 10.0.1.0/24",
             "{ home: { address: auto, delay: 30ms, loss: 2%, in: { rate: 20mbit }, out: { rate: "
             "5mbit, loss: 0.5% } } }"));
    const Attachment& a = t.find_host("alice")->attachments.at(0);
    CHECK(a.addresses.size() == 1);
    CHECK(a.link.in.describe() == "delay 30ms, loss 2%, rate 20mbit");
    CHECK(a.link.out.describe() == "delay 30ms, loss 0.5%, rate 5mbit");
    const Topology two = testing::valid_topology(
        with("  home: 10.0.1.0/24", "{ home: { address: [10.0.1.7, auto], mtu: 1280 } }"));
    CHECK(two.find_host("alice")->attachments.at(0).addresses.size() == 2);
    CHECK(two.find_host("alice")->attachments.at(0).link.mtu == 1280);
}

TEST_CASE("link: values no link can have are errors with their place") {
    auto network = [](const std::string& values) {
        return testing::errors(
            with("  home: { subnet: 10.0.1.0/24, " + values + " }", "{ home: auto }"));
    };
    CHECK(contains(network("loss: 120%"),
                   ":3:38: error: network 'home' loss: expected a percentage from 0% to "
                   "100% like 1% or 0.5%, found '120%'"));
    CHECK(contains(network("delay: -5ms"), "network 'home' delay: expected a duration like 15s"));
    CHECK(contains(network("delay: 20s"), "network 'home' delay: at most 10s, found 20s"));
    CHECK(contains(network("mtu: 40"), "network 'home' mtu"));
    CHECK(contains(network("rate: 10mbps"),
                   "network 'home' rate: expected a whole number of bit, kbit, mbit or gbit per "
                   "second like 10mbit, found '10mbps'"));
    CHECK(
        contains(network("jitter: 5ms"), "network 'home': jitter varies a delay; give delay too"));
    CHECK(contains(network("reorder: 5%"), "reorder sends some packets ahead of delayed ones"));
    CHECK(contains(network("loss-correlation: 25%"),
                   "loss-correlation shapes a loss; give loss too"));
    CHECK(contains(network("latency: 5ms"), "unknown key 'latency' in network 'home'"));
    CHECK(contains(testing::errors(with("  home: { delay: 5ms }", "{ home: auto }")),
                   "network 'home': expected subnet (like 10.0.1.0/24)"));

    auto attachment = [](const std::string& map) {
        return testing::errors(with("  home: 10.0.1.0/24", "{ home: " + map + " }"));
    };
    CHECK(contains(attachment("{ loss: 1% }"), "host 'alice' on network 'home': expected address"));
    CHECK(contains(attachment("{ address: auto, in: { mtu: 1400 } }"),
                   "unknown key 'mtu' in host 'alice' on network 'home' in"));
    CHECK(contains(attachment("{ address: auto, out: 5% }"),
                   "host 'alice' on network 'home' out: expected a map of link conditions"));
    CHECK(contains(attachment("{ address: auto, in: { jitter: 2ms } }"),
                   "(what it receives): jitter varies a delay"));
}

TEST_CASE("link: icmp-frag-needed, the PMTU black hole, on a NAT and on a firewall") {
    const std::string base =
        "networks: { wan: 203.0.113.0/24, lan: 10.0.1.0/24 }\nhosts: { a: { lan: auto }, b: "
        "{ wan: auto } }\nrouters:\n  r: { wan: { wan: auto }, lan: { lan: auto }, ";
    const auto nat = testing::load(base + "nat: { icmp-frag-needed: drop } }\n");
    REQUIRE(nat.topo);
    CHECK_FALSE(nat.topo->routers[0].nat->behaviour.tcp.frag_needed);
    CHECK(short_label(nat.topo->routers[0].nat->behaviour) == "EI/APD pmtu-black-hole");
    const auto fw =
        testing::load(base + "firewall: { filtering: none, icmp-frag-needed: drop } }\n");
    REQUIRE(fw.topo);
    CHECK_FALSE(fw.topo->routers[0].firewall->tcp.frag_needed);
    CHECK(contains(testing::errors(base + "nat: { icmp-frag-needed: maybe } }\n"),
                   "icmp-frag-needed: expected send or drop, found 'maybe'"));
}

TEST_CASE("link: presets on an attachment (up is what it sends), keys beside them override") {
    const Topology t =
        testing::valid_topology(with("  home: 10.0.1.0/24",
                                     "{ home: { address: auto, preset: dsl, loss: 1%, in: { "
                                     "rate: 8mbit } } }"));
    const Attachment& a = t.find_host("alice")->attachments.at(0);
    CHECK(a.link.out.describe() == "delay 15ms, jitter 2ms, loss 1%, rate 1mbit");
    CHECK(a.link.in.describe() == "delay 15ms, jitter 2ms, loss 1%, rate 8mbit");
    // A line alike both ways may be a whole network.
    const Topology wifi = testing::valid_topology(
        with("  home: { subnet: 10.0.1.0/24, preset: lossy-wifi, loss: 5% }", "{ home: auto }"));
    CHECK(wifi.networks.at(0).link.out.describe() == "delay 3ms, jitter 3ms, loss 5%, rate 50mbit");
}

TEST_CASE("link: an unknown preset, and a one-sided line on a network, are errors with place") {
    CHECK(contains(
        testing::errors(with("  home: 10.0.1.0/24", "{ home: { address: auto, preset: adsl } }")),
        ":5:43: error: host 'alice' on network 'home' preset: unknown preset 'adsl' "
        "(known: dsl, cable, lte, satellite, lossy-wifi)"));
    CHECK(contains(
        testing::errors(with("  home: { subnet: 10.0.1.0/24, preset: cable }", "{ home: auto }")),
        ":3:40: error: network 'home' preset: cable (a DOCSIS 3.0 cable line) sends and receives "
        "differently, so it is one node's line: put it on that node's attachment"));
}

TEST_CASE("link: a step that changes conditions, and its mistakes with place") {
    const std::string base = with("  home: 10.0.1.0/24", "{ home: auto }") + "run:\n";
    const Topology t = testing::valid_topology(
        base + "  - link: { loss: 30%, preset: lossy-wifi }\n    network: home\n    for: 5s\n" +
        "  - link: { in: { rate: 1mbit } }\n    on: alice\n    network: home\n");
    const auto& burst = std::get<LinkStep>(t.steps.at(0).action);
    REQUIRE(burst.conditions);
    CHECK(burst.conditions->out.describe() == "delay 3ms, jitter 3ms, loss 30%, rate 50mbit");
    CHECK(burst.lasts == std::chrono::seconds(5));
    CHECK(burst.node.empty());
    const auto& alice = std::get<LinkStep>(t.steps.at(1).action);
    CHECK(alice.conditions->in.describe() == "rate 1mbit");
    CHECK(alice.conditions->out.empty());

    auto step = [&](const std::string& text) { return testing::errors(base + text); };
    CHECK(contains(step("  - link: { loss: 130% }\n    network: home\n"),
                   ":8:19: error: link on network 'home' loss: expected a percentage"));
    CHECK(contains(step("  - link: { in: { loss: 1% } }\n    network: home\n"),
                   "unknown key 'in' in link on network 'home'"));
    CHECK(contains(step("  - link: { loss: 1% }\n    network: nowhere\n"),
                   "link: unknown network 'nowhere'"));
    CHECK(contains(step("  - link: { loss: 1% }\n    on: bob\n    network: elsewhere\n"),
                   "link: unknown network 'elsewhere'"));
    CHECK(contains(step("  - link: sideways\n    on: bob\n    network: home\n"),
                   "link: expected down, up, or a map of link conditions"));
    CHECK(contains(step("  - link: down\n    network: home\n"),
                   "link: no 'on'; expected the node whose interface goes down or up"));
    CHECK(contains(step("  - link: down\n    on: bob\n    network: home\n    for: 0s\n"),
                   "link for: expected a duration above zero"));
}
