#pragma once
/// Checks of what a NAT behaviour needs of its router, in the router's
/// `nat:` and in every `set-nat` step that gives it one: what the ruleset
/// cannot build, or the gateway daemon could not live with, is an error
/// with its place.

#include "model/diagnostics.h"
#include "model/topology.h"

namespace testbed {

/// `pooling: arbitrary` needs several wan addresses; `tcp-synack-after-syn:
/// accept` needs one (its stateless rewrite sets one address); `refresh:
/// outbound` cannot go with `port-mapping` (what comes in to the gateway's
/// mappings would be dropped once idle).
void check_nat_behaviours(const Topology& topo, Diagnostics& diag);

}  // namespace testbed
