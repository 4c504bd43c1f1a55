#include "plan/link.h"

#include <doctest/doctest.h>

using namespace testbed;

namespace {
LinkConditions lossy(double loss) {
    LinkConditions c;
    c.loss = loss;
    return c;
}
}  // namespace

TEST_CASE("link shaping: netem gives delay and rate, loss stays with nftables on every kernel") {
    LinkConditions c = lossy(1);
    c.delay = std::chrono::milliseconds(20);
    c.rate = 10'000'000;
    const LinkShaping s = shape_direction(c, {true, true, true}, "br0");
    REQUIRE(s.qdisc);
    CHECK(s.qdisc->kind == QdiscSpec::Kind::netem);
    CHECK(s.qdisc->conditions.describe() == "delay 20ms, rate 10mbit");
    CHECK(s.ingress ==
          std::vector<std::string>{"meta protocol != arp numgen random mod 10000 < 100 drop"});
    CHECK(s.missing.empty());
    // Correlated loss, and duplicating what a node receives, only netem does.
    LinkConditions bursty = lossy(5);
    bursty.loss_correlation = 25;
    bursty.duplicate = 1;
    const LinkShaping b = shape_direction(bursty, {true, true, true}, "");
    REQUIRE(b.qdisc);
    CHECK(b.qdisc->conditions == bursty);
    CHECK(b.ingress.empty());
}

TEST_CASE("link shaping: without netem, rate from tbf, loss and duplication from nftables") {
    LinkConditions c = lossy(1.5);
    c.duplicate = 0.25;
    c.rate = 5'000'000;
    const LinkShaping s = shape_direction(c, {false, true, true}, "br0");
    REQUIRE(s.qdisc);
    CHECK(s.qdisc->kind == QdiscSpec::Kind::tbf);
    CHECK(s.qdisc->conditions.describe() == "rate 5mbit");
    CHECK(s.ingress == std::vector<std::string>{
                           "meta protocol != arp numgen random mod 10000 < 25 dup to \"br0\"",
                           "meta protocol != arp numgen random mod 10000 < 150 drop"});
    CHECK(s.missing.empty());
}

TEST_CASE("link shaping: what only netem gives is named, never dropped silently") {
    LinkConditions c = lossy(1);
    c.delay = std::chrono::milliseconds(20);
    c.jitter = std::chrono::milliseconds(5);
    c.loss_correlation = 25;
    const LinkShaping s = shape_direction(c, {false, true, true}, "br0");
    CHECK(s.missing ==
          std::vector<std::string>{"delay 20ms, jitter 5ms, loss 1%, loss-correlation 25% needs "
                                   "sch_netem (CONFIG_NET_SCH_NETEM)"});
    CHECK(s.ingress.empty());
    // Duplicating what a node receives has no device to go out of.
    LinkConditions dup;
    dup.duplicate = 1;
    CHECK(shape_direction(dup, {false, true, true}, "").missing ==
          std::vector<std::string>{"duplicate 1% needs sch_netem (CONFIG_NET_SCH_NETEM)"});
    LinkConditions rate;
    rate.rate = 1'000'000;
    CHECK(shape_direction(rate, {false, false, true}, "br0").missing ==
          std::vector<std::string>{
              "rate 1mbit needs sch_tbf (CONFIG_NET_SCH_TBF) or sch_netem (CONFIG_NET_SCH_NETEM)"});
    CHECK(shape_direction({}, {false, false, true}, "").missing.empty());
}

TEST_CASE(
    "link shaping: without nftables on ingress, loss and duplication go to netem or are named") {
    LinkConditions c = lossy(2);
    c.duplicate = 1;
    const LinkShaping with_netem = shape_direction(c, {true, true, false}, "br0");
    REQUIRE(with_netem.qdisc);
    CHECK(with_netem.qdisc->conditions == c);
    CHECK(with_netem.ingress.empty());
    const LinkShaping neither = shape_direction(c, {false, true, false}, "br0");
    CHECK(neither.missing ==
          std::vector<std::string>{
              "loss 2%, duplicate 1% needs nftables on a netdev ingress hook "
              "(CONFIG_NF_TABLES_NETDEV, CONFIG_NFT_NUMGEN, CONFIG_NFT_DUP_NETDEV) or sch_netem "
              "(CONFIG_NET_SCH_NETEM)"});
}

TEST_CASE("link shaping: 100% is every packet (numgen stops at 9999)") {
    const LinkShaping s = shape_direction(lossy(100), {false, true, true}, "br0");
    CHECK(s.ingress == std::vector<std::string>{"meta protocol != arp drop"});
}
