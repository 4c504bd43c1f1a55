// What a NAT behaviour needs of its router: a pool of public addresses (the
// wan list, `pooling:`) and what cannot go with one; `refresh:` and what
// cannot go with outbound refresh, in `nat:` and in set-nat steps.

#include <doctest/doctest.h>

#include "support/helpers.h"

using namespace testbed;
using testing::contains;
using testing::errors;

namespace {

std::string pooled(const std::string& wan, const std::string& nat, const std::string& extra = "") {
    return "networks: { internet: 203.0.113.0/24, home: 10.0.1.0/24 }\n"
           "hosts: { a: { home: auto }, s: { internet: 203.0.113.1 } }\n"
           "routers:\n  r: { wan: { internet: " +
           wan + " }, lan: { home: auto }, nat: " + nat + extra + " }\n";
}

}  // namespace

TEST_CASE("address pools: a wan list is the NAT's public addresses, auto ones too") {
    const auto ok = testing::load(pooled("[203.0.113.10, auto]", "{ pooling: arbitrary }"));
    REQUIRE(ok.topo);
    CHECK_FALSE(ok.diag.has_errors());
    const Router& r = ok.topo->routers[0];
    REQUIRE(r.wan.addresses.size() == 2);
    CHECK(r.wan.addresses[0].address->str() == "203.0.113.10");
    CHECK(r.wan.addresses[1].address->str() == "203.0.113.2");
    CHECK(r.nat->behaviour.pooling == Pooling::arbitrary);
    CHECK(contains(describe(r.nat->behaviour), "pooling arbitrary"));
    // Paired is the default, and what a preset gives.
    CHECK(testing::load(pooled("[auto, auto]", "full-cone"))
              .topo->routers[0]
              .nat->behaviour.pooling == Pooling::paired);
}

TEST_CASE("address pools: bad pooling, a pool of one, a taken address, two wan networks") {
    CHECK(contains(errors(pooled("[auto, auto]", "{ pooling: roundrobin }")),
                   "test.yaml:4:78: error: router 'r' nat pooling: expected arbitrary or paired, "
                   "found 'roundrobin'"));
    CHECK(contains(errors(pooled("203.0.113.10", "{ pooling: arbitrary }")),
                   "router 'r' nat: pooling arbitrary picks among several public addresses, and "
                   "router 'r' has one; give its wan a list"));
    CHECK(contains(errors(pooled("[203.0.113.10, 203.0.113.1]", "full-cone")), "203.0.113.1"));
    CHECK(contains(errors("networks: { internet: 203.0.113.0/24, x: 198.51.100.0/24, home: "
                          "10.0.1.0/24 }\nhosts: { a: { home: auto } }\nrouters:\n  r: { wan: "
                          "{ internet: auto, x: auto }, lan: { home: auto }, nat: full-cone }\n"),
                   "wan: expected exactly one network, with one address or a list of them"));
}

TEST_CASE("address pools: what speaks for one address refuses a pool") {
    CHECK(contains(errors(pooled("[auto, auto]", "{ tcp-synack-after-syn: accept }")),
                   "tcp-synack-after-syn accept rewrites a SYN-ACK to one public address, and "
                   "router 'r' has 2"));
    CHECK(contains(errors(pooled("[auto, auto]", "full-cone", ", port-mapping: { nat-pmp: true }")),
                   "router 'r' port-mapping: the gateway daemon speaks for one public address, "
                   "and the wan has 2"));
    // A set-nat step is held to the same.
    CHECK(contains(errors(pooled("203.0.113.10", "full-cone") +
                          "run:\n  - set-nat: r\n    to: { pooling: arbitrary }\n"),
                   "set-nat: pooling arbitrary picks among several public addresses"));
}

TEST_CASE("refresh: outbound or both, outbound on a NAT without a gateway daemon") {
    const auto ok = testing::load(pooled("auto", "{ refresh: outbound }"));
    REQUIRE(ok.topo);
    CHECK_FALSE(ok.diag.has_errors());
    CHECK(ok.topo->routers[0].nat->behaviour.refresh == Refresh::outbound);
    CHECK(contains(describe(ok.topo->routers[0].nat->behaviour), "refresh outbound"));
    CHECK(contains(errors(pooled("auto", "{ refresh: inbound }")),
                   "nat refresh: expected outbound or both, found 'inbound'"));
    CHECK(contains(errors(pooled("auto", "{ refresh: outbound }", ", port-mapping: { pcp: true }")),
                   "router 'r' nat: refresh outbound would drop what comes in to the gateway's "
                   "mappings of router 'r' once idle"));
    // A set-nat step is held to the same.
    CHECK(contains(errors(pooled("auto", "full-cone", ", port-mapping: { pcp: true }") +
                          "run:\n  - set-nat: r\n    to: { refresh: outbound }\n"),
                   "set-nat: refresh outbound would drop what comes in"));
}
