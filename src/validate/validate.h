#pragma once
/// Checks a loaded topology as a whole and resolves every `auto` address.
/// Pure: no kernel access, so a bad file changes nothing on the machine.

#include "model/diagnostics.h"
#include "model/topology.h"

namespace testbed {

/// Reports every problem into `diag`: unknown networks and nodes, overlapping
/// subnets, addresses outside their subnet or used twice, a router loop, a
/// network served by two routers, a host with no route to anything, unknown
/// or duplicate processes. Where the topology is sound, every AddressSpec
/// holds an address afterwards (routers take the first free address of a
/// lan network, everything else the next free one in file order).
void validate_topology(Topology& topo, Diagnostics& diag);

}  // namespace testbed
