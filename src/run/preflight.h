#pragma once
/// Kernel features, checked before anything is built: every nftables ruleset
/// a topology needs (each router's, and each `set-nat` step's) is loaded by
/// a dry run in a throwaway namespace. A behaviour this kernel cannot give
/// is an error naming the router, nftables' complaint and the kernel options
/// the ruleset's features need, instead of a half-built run or a silent
/// approximation.
///
/// The verdict on each ruleset text is remembered for the life of the
/// process (the kernel does not change under it), so a suite checks each
/// distinct ruleset once: `prime_kernel_features` checks them all in one
/// namespace before `-j` children are forked, and the children inherit it.

#include <string>
#include <vector>

#include "kernel/kernel.h"
#include "model/topology.h"

namespace testbed {

/// One message per ruleset of `topo` the kernel refuses (each router's, and
/// each set-nat step's), and per link condition it cannot give
/// (plan/link.h); empty when all load. Makes
/// one throwaway namespace, only when a ruleset was not checked before.
std::vector<std::string> check_kernel_features(const Topology& topo, Kernel& kernel);

/// Checks every ruleset of these scenarios that was not checked before.
void prime_kernel_features(const std::vector<const Topology*>& scenarios, Kernel& kernel);

/// How many rulesets the kernel was asked about in this process, and a
/// fresh start (both for tests: the verdicts are kept per process).
size_t kernel_feature_checks();
void forget_kernel_features();

}  // namespace testbed
