#pragma once
/// What every command does with its inputs before its own work: topology
/// files found in folders, loaded, expanded and validated with every
/// problem printed; the root check; the kernel's check of the rulesets.

#include <optional>
#include <string>
#include <vector>

#include "kernel/kernel.h"
#include "model/topology.h"

namespace testbed {

/// The topology files of `paths`: a file as it is, a folder as every
/// .yaml/.yml file below it, sorted. Nullopt (with the reason printed) for
/// a folder without one.
std::optional<std::vector<std::string>> topology_files(const std::vector<std::string>& paths);

/// Loads one file, expands its matrix and validates every scenario,
/// printing each diagnostic once. Nullopt when anything is wrong.
std::optional<std::vector<Topology>> load_scenarios(const std::string& file);

/// One scenario: a file without a matrix, or nullopt (with the reason printed).
std::optional<Topology> load_valid(const std::string& file);

/// True as root; otherwise prints why `testbed COMMAND` needs it.
bool require_root(const char* command);

/// As root, whether this kernel can run `topo` (its rulesets, link
/// conditions, traffic counters), printing each thing it lacks as
/// "FILE: KIND: this machine cannot run it: ..." (KIND "error" or "warning").
bool kernel_can_run(const std::string& file, const Topology& topo, Kernel& kernel,
                    const char* kind);

}  // namespace testbed
