#pragma once
/// A scenario run's own folder (TESTBED_RUN_DIR, `${run_dir}`): made new
/// inside the run's log folder, so matrix cells and parallel runs never
/// share a path, and the `files:` of the topology written into it before
/// any step starts, with their ${var}s filled in.

#include <map>
#include <string>
#include <vector>

#include "model/topology.h"

namespace testbed {

/// Makes `log_dir`/run (0700; the log folder is new and private, so nobody
/// planted it) and returns its path. Throws Error naming the call.
std::string make_run_folder(const std::string& log_dir);

/// Writes `content` into a new file at `path` (O_CREAT|O_EXCL|O_NOFOLLOW)
/// and gives it `mode`. Throws Error naming the file and the call.
void write_new_file(const std::string& path, const std::string& content, unsigned mode);

/// Writes every file under `run_dir`: parent folders 0700, each file new
/// (O_CREAT|O_EXCL|O_NOFOLLOW) with its mode, its content with `values`
/// substituted. Throws Error naming the file and the call.
void write_run_files(const std::string& run_dir, const std::vector<FileSpec>& files,
                     const std::map<std::string, std::string>& values);

}  // namespace testbed
