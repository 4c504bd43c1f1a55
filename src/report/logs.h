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

/// The process logs of a run (none when its folder is gone; not the pcap
/// files), sorted by name.
std::vector<LogFile> run_logs(const RunReport& r, size_t limit);

}  // namespace testbed
