#pragma once
/// Checks of `port-mapping:` on routers, once addresses are assigned: what
/// the real gateway daemon (miniupnpd) would refuse at start is an error
/// here, with its place, instead of a daemon that exits mid-run.

#include "model/diagnostics.h"
#include "model/topology.h"

namespace testbed {

/// A port-mapping router translates; the address it claims as public is
/// not special-purpose (miniupnpd refuses those as reserved); its lan
/// addresses are (miniupnpd refuses to listen on a public one).
void check_port_mapping(const Topology& topo, Diagnostics& diag);

}  // namespace testbed
