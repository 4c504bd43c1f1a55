// `port-mapping:` on routers: the keys, their mistakes with line and column,
// and what the gateway daemon would refuse, caught at validation.

#include <doctest/doctest.h>
#include <fmt/core.h>

#include <chrono>

#include "support/helpers.h"

using namespace testbed;
using testing::contains;
using testing::errors;
using testing::load;

namespace {

/// A home behind a gateway whose port-mapping (line 5) is `pm`, on an
/// internet of `internet`, with the router's nat `nat`.
std::string gateway(const std::string& pm, const std::string& internet = "20.0.0.0/24",
                    const std::string& nat = "port-restricted-cone") {
    return fmt::format(
        "networks: {{ internet: {}, home: 10.0.1.0/24 }}\n"
        "hosts: {{ s: {{ internet: auto }}, a: {{ home: auto }} }}\n"
        "routers:\n"
        "  gw: {{ wan: {{ internet: auto }}, lan: {{ home: auto }}, nat: {},\n"
        "        port-mapping: {} }}\n",
        internet, nat, pm);
}

}  // namespace

TEST_CASE("port-mapping: the protocols, lease, secure mode and claimed address load") {
    auto l =
        load(gateway("{ upnp: true, nat-pmp: true, pcp: false, lease-max: 1h, secure: false, "
                     "external-address: 20.0.0.99 }"));
    REQUIRE_MESSAGE(l.topo, l.diag.format());
    CHECK_FALSE(l.diag.has_errors());
    const PortMapping& pm = *l.topo->routers[0].port_mapping;
    CHECK(pm.upnp);
    CHECK(pm.nat_pmp);
    CHECK_FALSE(pm.pcp);
    CHECK(pm.lease_max == std::chrono::hours(1));
    CHECK_FALSE(pm.secure);
    CHECK(pm.external_address->str() == "20.0.0.99");

    auto defaults = load(gateway("{ pcp: true }"));
    REQUIRE_MESSAGE(defaults.topo, defaults.diag.format());
    CHECK_FALSE(defaults.diag.has_errors());
    const PortMapping& d = *defaults.topo->routers[0].port_mapping;
    CHECK(d.secure);
    CHECK(d.lease_max == std::chrono::hours(24));
    CHECK_FALSE(d.external_address);
    CHECK_FALSE(defaults.topo->routers[0].port_mapping->upnp);
}

TEST_CASE("port-mapping: every mistake in the keys, with its place") {
    CHECK(contains(errors(gateway("{ upnp: true, igd2: true }")),
                   "test.yaml:5:37: error: unknown key 'igd2' in router 'gw' port-mapping"));
    CHECK(contains(errors(gateway("{ upnp: maybe }")),
                   "test.yaml:5:31: error: router 'gw' port-mapping upnp: expected true or "
                   "false, found 'maybe'"));
    CHECK(contains(errors(gateway("{ upnp: false }")),
                   "test.yaml:5:23: error: router 'gw' port-mapping: no protocol; expected at "
                   "least one of upnp, nat-pmp, pcp set to true"));
    CHECK(contains(errors(gateway("{ pcp: true, lease-max: 0s }")),
                   "test.yaml:5:47: error: router 'gw' port-mapping lease-max: expected whole "
                   "seconds from 1s to 4294967295s (a lease of 0 would end every mapping as it "
                   "is made), found '0s'"));
    CHECK(
        contains(errors(gateway("{ pcp: true, lease-max: 1500ms }")), "lease-max: expected whole"));
    CHECK(contains(errors(gateway("{ pcp: true, lease-max: soon }")),
                   "test.yaml:5:47: error: router 'gw' port-mapping lease-max: expected a "
                   "duration"));
    CHECK(contains(errors(gateway("{ pcp: true, external-address: 20.0.0 }")),
                   "test.yaml:5:54: error: router 'gw' port-mapping external-address: expected "
                   "an IPv4 address such as 20.0.0.99, found '20.0.0'"));
    CHECK(contains(errors(gateway("yes")),
                   "test.yaml:5:23: error: router 'gw' port-mapping: expected a map"));
}

TEST_CASE("port-mapping: what miniupnpd would refuse is an error at validation") {
    // A router that does not translate has no ports to map.
    CHECK(contains(errors(gateway("{ upnp: true }", "20.0.0.0/24", "open")),
                   "test.yaml:5:23: error: router 'gw' port-mapping: the router does not "
                   "translate"));
    // A documentation range reads to miniupnpd as reserved: said where the wan address is.
    CHECK(contains(errors(gateway("{ upnp: true }", "203.0.113.0/24")),
                   "test.yaml:4:26: error: router 'gw' port-mapping: miniupnpd refuses "
                   "203.0.113.2 as the gateway's public address: it lies in 203.0.113.0/24, "
                   "documentation, TEST-NET-3 (RFC 5737)"));
    // ... unless the gateway claims a public address of its own (the misbehaving case).
    CHECK(errors(gateway("{ upnp: true, external-address: 20.0.0.99 }", "203.0.113.0/24")).empty());
    CHECK(contains(errors(gateway("{ upnp: true, external-address: 100.64.0.9 }")),
                   "test.yaml:5:55: error: router 'gw' port-mapping: miniupnpd refuses "
                   "100.64.0.9 as the gateway's public address: it lies in 100.64.0.0/10"));
    // miniupnpd will not serve a lan with a public address.
    const std::string public_lan =
        "networks: { internet: 20.0.0.0/24, home: 21.0.1.0/24 }\n"
        "hosts: { s: { internet: auto }, a: { home: auto } }\n"
        "routers:\n"
        "  gw: { wan: { internet: auto }, lan: { home: auto }, nat: symmetric,\n"
        "        port-mapping: { upnp: true } }\n";
    CHECK(contains(errors(public_lan),
                   "test.yaml:4:47: error: router 'gw' port-mapping: miniupnpd refuses to serve "
                   "a lan with the public address 21.0.1.1"));
}

TEST_CASE("port-mapping: the daemon's log is the process gateway-ROUTER, for expectations") {
    const std::string ok =
        gateway("{ upnp: true }") + "expect:\n  gateway-gw: { stderr: 'HTTP listening on port' }\n";
    CHECK(errors(ok).empty());
    const std::string taken = gateway("{ upnp: true }") +
                              "run:\n  - start: gateway-gw\n    on: a\n    cmd: [sleep, '1']\n";
    CHECK(contains(errors(taken),
                   "start 'gateway-gw': a process of that name was started at line 5"));
}

TEST_CASE("port-mapping: files: may not write where the gateway's configuration goes") {
    const std::string e =
        errors(gateway("{ upnp: true }") + "files:\n  gateway/gw.conf: \"mine\"\n  gw.conf: ok\n");
    CHECK_MESSAGE(contains(e,
                           "7:3: error: files 'gateway/gw.conf': the run folder's 'gateway/' "
                           "holds the configuration the testbed writes for router 'gw's "
                           "port-mapping gateway"),
                  e);
    CHECK_FALSE(contains(e, "files 'gw.conf'"));
    // Without a port-mapping router the folder is the file's to use.
    const std::string fine = errors(
        "networks: { lan: 10.0.0.0/24 }\nhosts: { a: { lan: auto }, b: { lan: auto } }\n"
        "files:\n  gateway/x.conf: ok\n");
    CHECK_MESSAGE(fine.empty(), fine);
}
