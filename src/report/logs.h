#pragma once
/// The process logs of a run, as the JUnit and HTML reports embed them.

#include <string>
#include <vector>

#include "check/result.h"

namespace testbed {

/// One process log of a run.
struct LogFile {
    std::string name;  ///< e.g. "peer-a.stdout"
    std::string text;  ///< its last `limit` bytes, with a note of what was cut
};

/// The process logs of a run (NAME.stdout, NAME.stderr; none when its
/// folder is gone), sorted by name, at most 256: only regular files, never
/// through a link, never blocking on a FIFO, only their last `limit` bytes
/// read, whatever a program under test planted in the folder.
std::vector<LogFile> run_logs(const RunReport& r, size_t limit);

}  // namespace testbed
