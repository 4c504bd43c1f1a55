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

#include "base/duration.h"
#include "base/exit_status.h"
#include "base/fd.h"
#include "run/launcher.h"

namespace boost::process {
class child;
}

namespace testbed {

class Process final : public RunningProcess {
  public:
    /// Starts the program. `argv[0]` without a slash is looked up first in
    /// `program_dir` (the testbed's own programs), then in PATH. Throws Error
    /// naming the process and program when it cannot start.
    static std::unique_ptr<Process> launch(const LaunchSpec& spec, const std::string& program_dir);
    ~Process() override;
    Process(const Process&) = delete;
    Process& operator=(const Process&) = delete;

    const LaunchSpec& spec() const override { return spec_; }
    int pid() const override { return pid_; }
    /// Waits until the process exits or `timeout` passes; true if it exited.
    /// Polls the process's pidfd: no sleeping.
    bool wait_for(Duration timeout) override;
    /// SIGTERM to its process group, up to `grace` for it to exit, then SIGKILL.
    void stop(Duration grace) override;
    ExitStatus status() const override { return status_; }
    bool exited() const override { return reaped_; }
    bool port_bound(bool tcp, int port) const override;
    bool watched(size_t i) const override { return pump_->matched(i); }
    ProcessOutput output() override;

  private:
    Process(LaunchSpec spec, std::unique_ptr<boost::process::child> child, Fd pidfd,
            std::unique_ptr<OutputPump> pump);
    void reap();

    LaunchSpec spec_;
    std::unique_ptr<boost::process::child> child_;
    int pid_;
    Fd pidfd_;
    bool reaped_ = false;
    ExitStatus status_;
    std::unique_ptr<OutputPump> pump_;
};

/// Starts the testbed's own programs (found beside it) and those on PATH.
class ProcessLauncher : public Launcher {
  public:
    ProcessLauncher();
    std::unique_ptr<RunningProcess> launch(const LaunchSpec& spec) override;
    bool can_find(const std::string& program) const override;
    Fd node_filesystem(const std::string& hosts_file,
                       const std::vector<VisiblePath>& keep) override;

  private:
    std::string program_dir_;
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

}  // namespace testbed
