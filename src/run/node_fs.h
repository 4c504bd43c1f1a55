#pragma once
/// A node's own view of the filesystem: a mount namespace per node, shared
/// by every program started on it, with its own /tmp and /run (and
/// /var/run when that is a folder of its own) on fresh tmpfs, and an
/// /etc/hosts that names every node. Daemons that keep pid files and
/// sockets at their default paths then run on several nodes at once, and
/// `ping bob` works by name. Nothing is mounted in the machine's own mount
/// namespace; the namespace and its tmpfs go when the last holder (the
/// returned descriptor, the node's programs) is gone.

#include <string>
#include <vector>

#include "base/fd.h"

namespace testbed {

/// A folder, or a single file, that stays visible at `path` in a node
/// although it lies below /tmp or /run (a file alone: a script a step names
/// in /tmp must not bring the machine's whole /tmp with it). `held`, when
/// not -1, is the descriptor of the folder the testbed made and holds open
/// (the run's log folder): what `path` names in the node must be that very
/// folder, or the node is not made, so a folder renamed away and replaced
/// meanwhile is never shown to a node.
struct VisiblePath {
    std::string path;
    int held = -1;
};

/// The folders every node gets fresh (a tmpfs of its own).
inline constexpr const char* kFreshFolders[] = {"/tmp", "/run", "/var/run"};

/// Makes the mount namespace and returns a descriptor for setns(2).
/// `keep` are the folders that must stay visible at the same place: the
/// testbed's programs, the run's log folder, the working directory. They
/// are bound into the fresh tmpfs. `hosts_file` (never through a link) is
/// bound on /etc/hosts. Throws Error naming the call that failed.
Fd make_node_filesystem(const std::string& hosts_file, const std::vector<VisiblePath>& keep);

/// The text of /etc/hosts: localhost, then "ADDRESS NAME" per pair
/// (model's node_addresses).
std::string hosts_text(const std::vector<std::pair<std::string, std::string>>& names);

}  // namespace testbed
