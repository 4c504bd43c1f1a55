#pragma once
/// A topology as a Graphviz DOT graph: networks as ellipses with their
/// subnet, hosts as boxes, routers as diamonds labelled with their NAT.

#include <string>

#include "model/topology.h"

namespace testbed {

std::string topology_dot(const Topology& topo);

}  // namespace testbed
