#pragma once
/// Starting a step's program, behind a small interface: the runner's steps
/// (start, ready, wait, the final stop) are unit-tested with a fake
/// launcher, and run for real by ProcessLauncher (process.h).

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "base/duration.h"
#include "base/exit_status.h"
#include "base/fd.h"
#include "run/node_fs.h"
#include "run/output_pump.h"

namespace testbed {

/// How much of each of a program's streams is kept in its log by default.
inline constexpr size_t kDefaultOutputLimit = size_t{64} << 20;

struct LaunchSpec {
    std::string name;  ///< the process name from the topology
    std::string node;
    int netns_fd = -1;
    int mntns_fd = -1;  ///< the node's own filesystem (node_fs.h), when it has one
    std::vector<std::string> argv;
    std::map<std::string, std::string> env;
    std::string stdout_path;  ///< created new (never through an existing path)
    std::string stderr_path;
    std::vector<Watch> watch;                   ///< regexes matched on every stdout or stderr line
    size_t output_limit = kDefaultOutputLimit;  ///< per log; past it output is dropped
    std::vector<int> drop_capabilities;         ///< capability(7) numbers it starts without
};

/// A program that was started.
class RunningProcess {
  public:
    virtual ~RunningProcess() = default;
    virtual const LaunchSpec& spec() const = 0;
    virtual int pid() const = 0;
    /// Waits until it exits or `timeout` passes (0: just look); true once it
    /// exited. Returns early, false, when a signal came (the caller checks
    /// for an interruption).
    virtual bool wait_for(Duration timeout) = 0;
    /// SIGTERM to its process group, up to `grace` for it to exit, then SIGKILL.
    virtual void stop(Duration grace) = 0;
    virtual bool exited() const = 0;
    virtual ExitStatus status() const = 0;
    /// Whether a UDP socket is bound to `port` (or a TCP one listens on it)
    /// in its network namespace.
    virtual bool port_bound(bool tcp, int port) const = 0;
    /// Whether spec().watch[i] matched a stdout line so far.
    virtual bool watched(size_t i) const = 0;
    /// What it printed, once it is over (after stop() or an exit): waits a
    /// moment for its output to end.
    virtual ProcessOutput output() = 0;
};

class Launcher {
  public:
    virtual ~Launcher() = default;
    /// Starts the program; throws Error naming the process and program when
    /// it cannot start.
    virtual std::unique_ptr<RunningProcess> launch(const LaunchSpec& spec) = 0;
    /// Whether a step's program can be found (else the scenario is a SKIP).
    virtual bool can_find(const std::string& program) const = 0;
    /// A node's own filesystem view (run/node_fs.h) with `hosts_file` as
    /// its /etc/hosts and the folders in `keep` (the log folder, those of
    /// the steps' programs) still visible: a descriptor for
    /// LaunchSpec::mntns_fd. Throws Error naming the failed call.
    virtual Fd node_filesystem(const std::string& hosts_file,
                               const std::vector<VisiblePath>& keep) = 0;
};

}  // namespace testbed
