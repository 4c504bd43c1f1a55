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

/// Makes the mount namespace and returns a descriptor for setns(2).
/// `keep` are paths (folders) that must stay visible at the same place
/// although they lie below /tmp or /run: the testbed's programs, the run's
/// log folder, the working directory. They are bound into the fresh tmpfs.
/// Throws Error naming the call that failed.
Fd make_node_filesystem(const std::string& hosts_file, const std::vector<std::string>& keep);

/// The text of /etc/hosts: localhost, then "ADDRESS NAME" per pair
/// (model's node_addresses).
std::string hosts_text(const std::vector<std::pair<std::string, std::string>>& names);

}  // namespace testbed
