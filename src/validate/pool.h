#pragma once
/// Checks of a router's pool of public addresses (several on its wan) and
/// the `pooling:` that picks among them, in its `nat:` and in `set-nat`
/// steps: what the ruleset cannot build is an error with its place.

#include "model/diagnostics.h"
#include "model/topology.h"

namespace testbed {

/// `pooling: arbitrary` needs a translating router with several wan
/// addresses; `tcp-synack-after-syn: accept` needs one (its stateless
/// rewrite sets one address).
void check_address_pools(const Topology& topo, Diagnostics& diag);

}  // namespace testbed
