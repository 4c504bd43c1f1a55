#pragma once
/// Checks of the `run:` steps against the topology: the nodes, networks
/// and processes they name, and what `renumber` and `move` need.

#include "model/diagnostics.h"
#include "model/topology.h"

namespace testbed {

/// Fills in the network of each `renumber` step that names none (the
/// node's only one), and reports an unknown node, a network the node is
/// not on, several networks to choose from, or a port-mapping router (its
/// gateway daemon would keep the old address). A step it reports keeps an
/// empty network, so no address is taken for it.
void resolve_renumber_networks(Topology& topo, Diagnostics& diag);

/// `start` (unknown nodes, names used twice), `wait` (processes started
/// earlier), `link`, `set-nat`, `flush`; expectations name started
/// processes and matrix cells fill exit codes and traffic paths.
void check_steps(const Topology& topo, Diagnostics& diag);

/// `move` steps in order: each to another network of the host, one a
/// router serves (the default route goes through it), not the one the
/// host is on already.
void check_move_steps(const Topology& topo, Diagnostics& diag);

}  // namespace testbed
