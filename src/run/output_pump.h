#pragma once
/// A program's stdout and stderr, read from pipes by a thread of their own:
/// written to the log files up to a limit (past it, the rest is counted and
/// dropped, and the log says so), each scanned line by line as it passes
/// (check/output_scan.h). Memory stays bounded whatever the program prints.

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "base/duration.h"
#include "base/fd.h"
#include "check/output_scan.h"

namespace testbed {

/// What a program printed, as the checks see it.
struct ProcessOutput {
    std::vector<bool> matched;               ///< per watch
    std::vector<std::string> first_matches;  ///< per watch: the first line it matched (cut)
    std::optional<nlohmann::json> last_json;
    std::string tail;      ///< of stdout
    std::string err_tail;  ///< of stderr
    std::string note;      ///< set when a log was cut at its limit
};

class OutputPump {
  public:
    /// Reads `out` and `err` (the pipes' read ends) into `out_log` and
    /// `err_log`, at most `limit` bytes each; the lines of each stream are
    /// matched against the watches on it (`watches` must compile: the
    /// loader checked them).
    OutputPump(Fd out, Fd err, Fd out_log, Fd err_log, size_t limit,
               const std::vector<Watch>& watches);
    ~OutputPump();
    OutputPump(const OutputPump&) = delete;
    OutputPump& operator=(const OutputPump&) = delete;

    /// Whether watch `i` matched a line so far.
    bool matched(size_t i) const;
    /// Waits up to `timeout` for both pipes to end (they end when the
    /// program and everything it started are gone), then stops reading.
    ProcessOutput finish(Duration timeout);

  private:
    struct Stream {
        Fd pipe;
        Fd log;
        size_t written = 0;
        size_t dropped = 0;
        bool open = true;
    };
    void loop();
    void pour(Stream& s, bool is_stdout);

    Stream streams_[2];
    size_t limit_;
    mutable std::mutex mutex_;  ///< guards scans_ and ended_
    std::condition_variable ended_cv_;
    bool ended_ = false;  ///< both pipes reached their end
    StreamScans scans_;
    Fd wake_;
    std::atomic<bool> stopping_{false};
    std::thread thread_;
    bool finished_ = false;
    ProcessOutput result_;
};

}  // namespace testbed
