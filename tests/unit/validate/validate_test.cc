// The validator: references, subnets and realms, addresses, routes, loops,
// steps; and that it stays near-linear in the size of a topology.

#include <doctest/doctest.h>
#include <fmt/core.h>

#include <chrono>

#include "support/helpers.h"

using namespace testbed;
using testing::contains;
using testing::errors;
using testing::load;

namespace {

/// Two homes behind two NATs, optionally with the same subnet, and a
/// third network that may sit under home-b.
std::string two_homes(const std::string& home_b, const std::string& extra = "") {
    return R"(
name: homes
networks: { internet: 203.0.113.0/24, home-a: 10.0.1.0/24, home-b: )" +
           home_b + R"( }
hosts:
  alice: { home-a: 10.0.1.3 }
  bob: { home-b: 10.0.1.3 }
  s: { internet: auto }
routers:
  nat-a: { wan: { internet: auto }, lan: { home-a: auto }, nat: full-cone }
  nat-b: { wan: { internet: auto }, lan: { home-b: auto }, nat: full-cone }
)" + extra;
}

}  // namespace

TEST_CASE("auto addresses: routers take .1 of a lan, others the next free") {
    auto l = load(testing::kSpecExample);
    REQUIRE(l.topo);
    const Topology& t = *l.topo;
    CHECK(t.find_router("nat-a")->lans[0].addresses[0].address->str() == "10.0.1.1");
    CHECK(t.find_host("alice")->attachments[0].addresses[0].address->str() == "10.0.1.2");
    CHECK(t.find_router("nat-b")->wan.addresses[0].address->str() == "203.0.113.2");
}

TEST_CASE("overlapping subnets and duplicate addresses") {
    const std::string e = errors(R"(networks:
  one: 10.0.0.0/16
  two: 10.0.5.0/24
hosts:
  a: { one: 10.0.0.5 }
  b: { one: 10.0.0.5 }
)");
    CHECK(contains(e, "network 'two' (10.0.5.0/24) overlaps network 'one'"));
    CHECK(contains(e, "6:13: error: host 'b': address 10.0.0.5 is already used by host 'a'"));
}

TEST_CASE("network and broadcast addresses are refused") {
    const std::string e = errors(
        "networks:\n  n: 10.0.0.0/24\nhosts:\n  a: { n: 10.0.0.0 }\n  b: { n: 10.0.0.255 }\n");
    CHECK(contains(e, "is the network address"));
    CHECK(contains(e, "is the broadcast address"));
}

TEST_CASE("networks in ranges no interface can use are refused, with the reason") {
    for (const auto& [subnet, reason] :
         {std::pair{"127.0.0.0/24", "loopback"}, std::pair{"224.0.0.0/24", "multicast"},
          std::pair{"0.0.0.0/24", "this network"}, std::pair{"96.0.0.0/3", "loopback"}}) {
        CAPTURE(subnet);
        const std::string e = errors(fmt::format("networks:\n  n: {}\n", subnet));
        CHECK(contains(e, fmt::format("2:3: error: network 'n' ({}) lies in", subnet)));
        CHECK(contains(e, reason));
    }
    // Public-looking, documentation, shared (RFC 6598) and link-local ranges are fine.
    for (const char* subnet :
         {"20.0.0.0/24", "198.51.100.0/24", "100.64.0.0/10", "169.254.1.0/24", "240.0.0.0/24"}) {
        CAPTURE(subnet);
        CHECK(errors(fmt::format(
                         "networks:\n  n: {}\nhosts:\n  a: {{ n: auto }}\n  b: {{ n: auto }}\n",
                         subnet))
                  .empty());
    }
}

TEST_CASE("a router loop is an error") {
    const std::string e = errors(R"(networks:
  n1: 10.0.1.0/24
  n2: 10.0.2.0/24
hosts:
  h: { n1: auto }
routers:
  r1: { wan: { n1: auto }, lan: { n2: auto } }
  r2: { wan: { n2: auto }, lan: { n1: auto } }
)");
    CHECK(contains(e, "is part of a router loop"));
}

TEST_CASE("a host with no route to anything") {
    const std::string e = errors(
        "networks:\n  n1: 10.0.1.0/24\n  n2: 10.0.2.0/24\nhosts:\n  a: { n1: auto }\n  b: { n2: "
        "auto }\n");
    CHECK(contains(e, "5:3: error: host 'a' has no route to anything"));
}

TEST_CASE("steps: unknown node, unknown process, duplicates") {
    const std::string e = errors(R"(networks:
  n: 10.0.1.0/24
hosts:
  a: { n: auto }
  b: { n: auto }
run:
  - start: x
    on: nobody
    cmd: [true]
  - start: x
    on: a
    cmd: [true]
  - wait: [y]
  - start: z
    on: a
    cmd: "not a list"
  - explode: now
expect:
  ghost: { exit: 0 }
)");
    CHECK(contains(e, "7:5: error: start 'x': unknown node 'nobody'"));
    CHECK(contains(e, "a process of that name was started at line 7"));
    CHECK(contains(e, "wait: unknown process 'y'"));
    CHECK(contains(e, "cmd: expected a non-empty list"));
    CHECK(contains(
        e, "run step: expected one of start, wait, sleep, link, set-nat, flush, renumber or move"));
    CHECK(contains(e, "expect: unknown process 'ghost'"));
}

TEST_CASE("validator: homes behind different NATs may reuse a subnet and its addresses") {
    auto loaded = testing::load(two_homes("10.0.1.0/24"));
    CHECK_MESSAGE(loaded.diag.format().empty(), loaded.diag.format());
    REQUIRE(loaded.topo);
    // Both routers' `auto` on their lan get .1: the realms are separate.
    CHECK(loaded.topo->routers[0].lans[0].addresses[0].address->str() == "10.0.1.1");
    CHECK(loaded.topo->routers[1].lans[0].addresses[0].address->str() == "10.0.1.1");
}

TEST_CASE("validator: a subnet cannot be reused inside one realm, nor nested, nor by one node") {
    // Same realm: the internet and a network bridged by a plain router.
    const std::string same = R"(
name: same
networks: { internet: 10.0.0.0/16, lan: 10.0.1.0/24 }
hosts: { a: { internet: auto }, b: { lan: auto } }
routers: { r: { wan: { internet: auto }, lan: { lan: auto } } }
)";
    CHECK(contains(testing::errors(same), "overlaps network"));
    // Nested: a home inside a carrier realm cannot reuse the carrier's subnet.
    const std::string nested = R"(
name: nested
networks: { internet: 203.0.113.0/24, carrier: 10.0.0.0/16, home: 10.0.1.0/24 }
hosts: { s: { internet: auto }, a: { home: auto } }
routers:
  cgn: { wan: { internet: auto }, lan: { carrier: auto }, nat: cgnat }
  home-nat: { wan: { carrier: auto }, lan: { home: auto }, nat: full-cone }
)";
    CHECK(contains(testing::errors(nested), "only networks behind different NATs"));
    // One host on both homes would see both subnets at once.
    std::string both = two_homes("10.0.1.0/24");
    const std::string server = "  s: { internet: auto }";
    both.replace(both.find(server), server.size(),
                 server + "\n  m: { home-a: auto, home-b: 10.0.1.9 }");
    CHECK(contains(testing::errors(both), "overlaps network"));
    // Same address twice in one home is still a duplicate.
    std::string dup = two_homes("10.0.2.0/24");
    const std::string bob = "bob: { home-b: 10.0.1.3 }";
    dup.replace(dup.find(bob), bob.size(), "bob: { home-a: 10.0.1.3 }");
    CHECK(contains(testing::errors(dup), "already used"));
}

TEST_CASE("validation is near-linear: 5,000 NATs with 2 hosts each in well under 10 s") {
    // It was cubic: each `auto` address scanned its subnet from the start,
    // and each probe walked the routers to find the address realm (120 s).
    const int n = 5000;
    std::string yaml = "networks:\n  internet: 100.64.0.0/16\n";
    for (int i = 1; i <= n; ++i)
        yaml += fmt::format("  home{}: 10.{}.{}.0/24\n", i, i / 256, i % 256);
    yaml += "hosts:\n  server: { internet: auto }\n";
    for (int i = 1; i <= n; ++i)
        yaml += fmt::format("  a{0}: {{ home{0}: auto }}\n  b{0}: {{ home{0}: auto }}\n", i);
    yaml += "routers:\n";
    for (int i = 1; i <= n; ++i)
        yaml += fmt::format(
            "  nat{0}: {{ wan: {{ internet: auto }}, lan: {{ home{0}: auto }}, nat: full-cone }}\n",
            i);
    const auto t0 = std::chrono::steady_clock::now();
    auto l = testing::load(yaml);
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    INFO(l.diag.format());
    REQUIRE(l.topo);
    CHECK_FALSE(l.diag.has_errors());
    CHECK(s < 10.0);
    // The server took 100.64.0.1, the 5,000 wans the next ones in file order.
    CHECK(l.topo->routers.back().wan.addresses[0].address->str() == "100.64.19.137");
}
