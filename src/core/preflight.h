#pragma once
/// Kernel features, checked before anything is built: every nftables ruleset
/// a topology needs (each router's, and each `set-nat` step's) is loaded
/// once in a throwaway namespace. A behaviour this kernel cannot give is an
/// error naming the router, nftables' complaint and the kernel options the
/// ruleset's features need, instead of a half-built run or a silent
/// approximation.

#include <string>
#include <vector>

#include "core/plan.h"
#include "core/topology.h"

namespace testbed {

/// The nftables features a ruleset text uses, each with the kernel option
/// behind it, e.g. {"numgen (sequential ports)", "CONFIG_NFT_NUMGEN"}. Pure.
std::vector<std::pair<std::string, std::string>> ruleset_features(const std::string& ruleset);

/// One message per ruleset the kernel refuses; empty when all load. Needs
/// root (creates and removes one namespace of its own).
std::vector<std::string> check_kernel_features(const Topology& topo, const NetworkPlan& plan);

}  // namespace testbed
