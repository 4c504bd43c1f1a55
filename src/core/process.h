#pragma once
/// Programs started inside a node's namespace with Boost.Process. Each runs in a
/// process group of its own, writes stdout and stderr to files, and gets
/// SIGKILL from the kernel if the testbed dies (PR_SET_PDEATHSIG), so no
/// process outlives the testbed.

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/duration.h"
#include "core/fd.h"

namespace boost::process {
class child;
}

namespace testbed {

struct LaunchSpec {
    std::string name;  ///< the process name from the topology
    std::string node;
    int netns_fd = -1;
    std::vector<std::string> argv;
    std::map<std::string, std::string> env;
    std::string stdout_path;
    std::string stderr_path;
};

/// How a process ended.
struct ExitStatus {
    std::optional<int> code;    ///< set when it exited
    std::optional<int> signal;  ///< set when a signal ended it
    std::string str() const;    ///< "exit 0", "killed by SIGTERM", "running"
};

class Process {
  public:
    /// Starts the program. `argv[0]` without a slash is looked up first in
    /// `program_dir` (the testbed's own programs), then in PATH. Throws Error
    /// naming the process and program when it cannot start.
    static std::unique_ptr<Process> launch(const LaunchSpec& spec, const std::string& program_dir);
    ~Process();
    Process(const Process&) = delete;
    Process& operator=(const Process&) = delete;

    const LaunchSpec& spec() const { return spec_; }
    int pid() const { return pid_; }
    bool running();
    /// Waits until the process exits or `timeout` passes; true if it exited.
    /// Polls the process's pidfd: no sleeping.
    bool wait_for(Duration timeout);
    /// SIGTERM to its process group, up to `grace` for it to exit, then SIGKILL.
    void stop(Duration grace);
    ExitStatus status() const { return status_; }
    bool exited() const { return reaped_; }

  private:
    Process(LaunchSpec spec, std::unique_ptr<boost::process::child> child, Fd pidfd);
    void reap();

    LaunchSpec spec_;
    std::unique_ptr<boost::process::child> child_;
    int pid_;
    Fd pidfd_;
    bool reaped_ = false;
    ExitStatus status_;
};

/// Runs a program inside a namespace with the terminal attached (for
/// `testbed exec` and `testbed shell`) and returns its exit code (128+signal).
/// `netns_fd` -1 runs it where the testbed is (for helpers such as `dot`).
int run_attached(int netns_fd, const std::vector<std::string>& argv,
                 const std::map<std::string, std::string>& env = {});

/// The directory holding the testbed's own executables (the one it runs from).
std::string own_program_dir();

/// Where a step's program is: the testbed's own directory first, then PATH;
/// a name with a '/' as is. Empty when not found.
std::string find_program(const std::string& name);

/// Registers/unregisters a process group for the emergency kill done by a
/// second Ctrl-C (async-signal-safe storage).
void register_emergency_group(int pgid);
void unregister_emergency_group(int pgid);
/// SIGKILLs every registered group; async-signal-safe.
void emergency_kill_all();

}  // namespace testbed
