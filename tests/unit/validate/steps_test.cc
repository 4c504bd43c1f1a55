// The checks of `renumber` and `move` steps: what they name, the address
// they take, where a host may move; each error with its place.

#include <doctest/doctest.h>

#include "support/helpers.h"

using namespace testbed;
using testing::contains;
using testing::errors;

namespace {

/// A phone on two networks behind two routers, and a NAT that answers port mapping.
std::string mobile(const std::string& steps) {
    return R"(networks:
  internet: 203.0.113.0/24
  wifi: 10.0.1.0/24
  cell: 100.64.0.0/24
  lab: 10.0.9.0/24
  isp: 20.0.0.0/24
hosts:
  s: { internet: 203.0.113.1, isp: auto }
  phone: { wifi: 10.0.1.2, cell: auto }
  desk: { lab: auto }
routers:
  home: { wan: { internet: 203.0.113.10 }, lan: { wifi: 10.0.1.1 }, nat: full-cone }
  carrier: { wan: { internet: 203.0.113.20 }, lan: { cell: auto }, nat: cgnat }
  gw: { wan: { isp: auto }, lan: { lab: auto }, nat: full-cone, port-mapping: { upnp: true } }
run:
)" + steps;
}

}  // namespace

TEST_CASE("renumber: the network is the node's only one, or named") {
    const auto l = testing::load(mobile("  - move: phone\n    to: cell\n  - renumber: desk\n"));
    REQUIRE(l.topo);
    REQUIRE_FALSE(l.diag.has_errors());
    const auto& r = std::get<RenumberStep>(l.topo->steps.at(1).action);
    CHECK(r.network == "lab");
    // `auto`: the next free address, taken for the whole run.
    CHECK(r.to.address->str() == "10.0.9.3");
}

TEST_CASE("renumber: unknown node, several networks, wrong network, an address in use") {
    const std::string e = errors(mobile(R"(  - move: phone
    to: cell
  - renumber: ghost
  - renumber: phone
  - renumber: home
    network: cell
  - renumber: phone
    network: wifi
    to: 10.0.1.1
  - renumber: phone
    network: wifi
    to: 10.0.2.7
  - renumber: gw
    network: isp
  - renumber: desk
    to: nonsense
)"));
    CHECK(contains(e, "18:5: error: renumber: unknown node 'ghost'"));
    CHECK(contains(e,
                   "19:5: error: renumber: 'phone' is on several networks (wifi, cell); "
                   "expected 'network:' to say which"));
    CHECK(contains(e, "20:5: error: renumber: 'home' is not on network 'cell'"));
    CHECK(contains(e,
                   "24:9: error: renumber 'phone': address 10.0.1.1 is already used by router "
                   "'home' lan"));
    CHECK(contains(e, "27:9: error: renumber 'phone': address 10.0.2.7 is outside network 'wifi'"));
    CHECK(contains(e, "renumber: router 'gw' answers port mapping"));
    CHECK(contains(e, "31:9: error: renumber 'desk' to: bad address 'nonsense'"));
}

TEST_CASE("move: to another of the host's networks, one a router serves, not where it is") {
    const std::string e = errors(mobile(R"(  - move: phone
    to: wifi
  - move: phone
    to: lab
  - move: home
    to: wifi
  - move: desk
  - move: phone
    to: cell
  - move: phone
    to: cell
)"));
    CHECK(contains(e, "16:5: error: move: host 'phone' is on network 'wifi' already"));
    CHECK(contains(e, "18:5: error: move: host 'phone' is not on network 'lab'"));
    CHECK(contains(e, "20:5: error: move: unknown host 'home' (a router stays)"));
    CHECK(contains(e, "22:5: error: move: no 'to'"));
    CHECK(contains(e, "25:5: error: move: host 'phone' is on network 'cell' already"));
}

TEST_CASE("move: a host on two routers' lans needs a move step to say which") {
    const std::string e = errors(mobile("  - renumber: desk\n"));
    CHECK(contains(e, "9:3: error: host 'phone' has no single default route"));
}
