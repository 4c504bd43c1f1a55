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

TEST_CASE("link shaping: netem gives everything on the sending end") {
    LinkConditions c = lossy(1);
    c.delay = std::chrono::milliseconds(20);
    c.rate = 10'000'000;
    const LinkShaping s = shape_direction(c, {true, true}, "br0");
    REQUIRE(s.qdisc);
    CHECK(s.qdisc->kind == QdiscSpec::Kind::netem);
    CHECK(s.qdisc->conditions == c);
    CHECK(s.ingress.empty());
    CHECK(s.missing.empty());
}

TEST_CASE("link shaping: without netem, rate from tbf, loss and duplication from nftables") {
    LinkConditions c = lossy(1.5);
    c.duplicate = 0.25;
    c.rate = 5'000'000;
    const LinkShaping s = shape_direction(c, {false, true}, "br0");
    REQUIRE(s.qdisc);
    CHECK(s.qdisc->kind == QdiscSpec::Kind::tbf);
    CHECK(s.qdisc->conditions.describe() == "rate 5mbit");
    CHECK(s.ingress == std::vector<std::string>{"numgen random mod 10000 < 25 dup to \"br0\"",
                                                "numgen random mod 10000 < 150 drop"});
    CHECK(s.missing.empty());
}

TEST_CASE("link shaping: what only netem gives is named, never dropped silently") {
    LinkConditions c = lossy(1);
    c.delay = std::chrono::milliseconds(20);
    c.jitter = std::chrono::milliseconds(5);
    c.loss_correlation = 25;
    const LinkShaping s = shape_direction(c, {false, true}, "br0");
    CHECK(s.missing ==
          std::vector<std::string>{"delay 20ms, jitter 5ms, loss-correlation 25% needs sch_netem "
                                   "(CONFIG_NET_SCH_NETEM)"});
    // Duplicating what a node receives has no device to go out of.
    LinkConditions dup;
    dup.duplicate = 1;
    CHECK(shape_direction(dup, {false, true}, "").missing ==
          std::vector<std::string>{
              "duplicate 1% on what a node receives needs sch_netem (CONFIG_NET_SCH_NETEM)"});
    LinkConditions rate;
    rate.rate = 1'000'000;
    CHECK(shape_direction(rate, {false, false}, "br0").missing ==
          std::vector<std::string>{"rate 1mbit needs sch_tbf (CONFIG_NET_SCH_TBF) or sch_netem"});
    CHECK(shape_direction({}, {false, false}, "").missing.empty());
}
