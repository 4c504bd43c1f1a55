#pragma once
// Loading topologies from inline YAML for tests.

#include <doctest/doctest.h>

#include <string>

#include "load/loader.h"
#include "plan/plan.h"
#include "validate/validate.h"

namespace testbed::testing {

struct Loaded {
    Diagnostics diag{"test.yaml"};
    std::optional<Topology> topo;
};

/// Loads and, if the shape is sound, validates `yaml`.
inline Loaded load(const std::string& yaml) {
    Loaded l;
    l.topo = load_topology_text(yaml, l.diag);
    if (l.topo) validate_topology(*l.topo, l.diag);
    return l;
}

/// The diagnostics text, for CHECK messages and substring checks.
inline std::string errors(const std::string& yaml) {
    return load(yaml).diag.format();
}

inline bool contains(const std::string& haystack, const std::string& needle) {
    return haystack.find(needle) != std::string::npos;
}

/// The two-NAT example of the spec (topology-format.md), verbatim in shape.
inline const char* kSpecExample = R"(name: udp-port-restricted-pair
networks:
  internet: 203.0.113.0/24
  home-a: 10.0.1.0/24
  home-b: 10.0.2.0/24
hosts:
  server: { internet: 203.0.113.1 }
  alice: { home-a: auto }
  bob: { home-b: auto }
routers:
  nat-a:
    wan: { internet: 203.0.113.10 }
    lan: { home-a: auto }
    nat: port-restricted-cone
  nat-b:
    wan: { internet: auto }
    lan: { home-b: auto }
    nat:
      mapping: endpoint-independent
      filtering: address-and-port-dependent
      ports: preserve
      hairpin: false
      udp-timeout: 30s
run:
  - start: server
    on: server
    cmd: [rendezvous, --listen, 0.0.0.0:3478]
    ready: { udp: 3478 }
  - start: a
    on: alice
    cmd: [peer, --server, 203.0.113.1:3478, --id, alice, --connect, bob, --transport, udp]
  - start: b
    on: bob
    cmd: [peer, --server, 203.0.113.1:3478, --id, bob, --connect, alice, --transport, udp]
  - wait: [a, b]
    timeout: 15s
expect:
  a: { exit: 0, json: { result: direct, transport: udp } }
  b: { exit: 0, json: { result: direct } }
)";

/// Two homes behind two NATs and a peer whose argv and expectations use
/// matrix variables: the base of the matrix and report tests.
inline const std::string kPair = R"(
name: pair
networks: { internet: 203.0.113.0/24, home-a: 10.0.1.0/24, home-b: 10.0.2.0/24 }
hosts: { s: { internet: 203.0.113.1 }, alice: { home-a: auto }, bob: { home-b: auto } }
routers:
  nat-a: { wan: { internet: auto }, lan: { home-a: auto }, nat: full-cone }
  nat-b: { wan: { internet: auto }, lan: { home-b: auto }, nat: full-cone }
run:
  - start: a
    on: alice
    cmd: [peer, --transport, "${transport}"]
  - wait: a
    timeout: 5s
expect:
  a: { exit: 0, json: { result: "${outcome}", transport: "${transport}" } }
)";

/// The topology of `yaml`, which must load and validate.
inline Topology valid_topology(const std::string& yaml) {
    auto l = load(yaml);
    INFO(l.diag.format());
    REQUIRE(l.topo);
    REQUIRE_FALSE(l.diag.has_errors());
    return *l.topo;
}

/// The plan of `yaml`, which must load and validate.
inline NetworkPlan plan_of(const std::string& yaml) {
    return plan_network(valid_topology(yaml));
}

}  // namespace testbed::testing
