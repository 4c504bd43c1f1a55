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

struct KeptTopology {
    std::string run_id;
    std::string name;
    std::string file;
    std::map<std::string, std::string> nodes;  ///< node name -> handle
    std::vector<std::string> handles;          ///< every handle, bridges included
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
/// Removes every handle with the testbed's prefix and every state file;
/// returns what it removed.
std::vector<std::string> clean_leftovers(Kernel& kernel);

}  // namespace testbed
