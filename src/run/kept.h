#pragma once
/// Topologies kept alive by `testbed up`: their namespaces have named handles
/// (/run/netns/tb-RUNID-NODE, bridges tb-RUNID.NETWORK) and a state file
/// (/run/testbed/RUNID.json) that `exec`, `shell` and `down` read.

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "kernel/kernel.h"
#include "plan/plan.h"

namespace testbed {

/// Prefix of every named handle the testbed makes; `testbed clean` removes
/// handles with this prefix and nothing else.
inline constexpr const char* kHandlePrefix = "tb-";
inline constexpr const char* kStateDir = "/run/testbed";

/// The process that makes a kept topology, told apart from a later process
/// with the same pid by its start time.
struct Owner {
    int pid = 0;
    unsigned long long start = 0;  ///< /proc/PID/stat field 22, clock ticks since boot
    /// This process.
    static Owner self();
    /// Whether the process is still there (and is the same one).
    bool alive() const;
};

/// `up` writes the state file before it names any handle, with every
/// handle it will make and `complete` false, and completes it at the end:
/// an `up` killed half-way leaves a state file naming what it made, with
/// an owner that is gone.
struct KeptTopology {
    std::string run_id;
    std::string name;
    std::string file;
    std::map<std::string, std::string> nodes;  ///< node name -> handle
    std::vector<std::string> handles;          ///< every handle, bridges included
    Owner owner;
    bool complete = true;

    /// Made half-way by an `up` that is gone: nothing will complete it.
    bool broken() const { return !complete && !owner.alive(); }
};

/// The handle name of a planned namespace in run `run_id`.
std::string handle_name(const std::string& run_id, const NamespacePlan& ns);

void save_kept(const KeptTopology& kept);
std::vector<KeptTopology> list_kept();
/// The kept topology with this run id, or the only one when `run_id` is
/// empty; throws Error when that is ambiguous or absent.
KeptTopology find_kept(const std::string& run_id);
/// Removes the handles and the state file of a kept topology.
void remove_kept(const KeptTopology& kept, Kernel& kernel);
/// Handles with the testbed's prefix that no state file names (an `up`
/// killed before it wrote one, or whose state file was lost).
std::vector<std::string> orphan_handles(const std::vector<KeptTopology>& kept);
/// Removes what no live `up` owns: broken kept topologies (their handles and
/// state file) and orphan handles. Complete kept topologies and those an
/// `up` is still making stay. Returns what it removed.
std::vector<std::string> clean_leftovers(Kernel& kernel);

}  // namespace testbed
