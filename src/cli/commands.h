#pragma once
/// The testbed's commands, one function each, returning the process exit
/// code. The CLI (src/cli/main.cc) only parses arguments and calls these.
///
/// Exit codes: 0 success / every expectation held, 1 a scenario failed,
/// 2 bad input (nothing was created), 3 the machine cannot run it (not root,
/// a missing kernel feature), 130 interrupted.

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "kernel/kernel.h"
#include "run/launcher.h"
#include "suite/options.h"

namespace testbed {

inline constexpr int kExitFail = 1;
inline constexpr int kExitBadInput = 2;
inline constexpr int kExitEnvironment = 3;
/// Nothing failed, but some scenarios could not run here (SKIP, with reasons).
inline constexpr int kExitSkipped = 4;
inline constexpr int kExitInterrupted = 130;

/// What the commands act on: a fresh Kernel for each scenario or topology
/// (it owns the namespaces it makes) and a process launcher. The CLI gives
/// them the real machine; nothing below the CLI names LinuxKernel.
struct Machine {
    std::function<std::unique_ptr<Kernel>()> kernel;
    std::function<std::unique_ptr<Launcher>()> launcher;
};
/// LinuxKernel and ProcessLauncher.
Machine linux_machine();

int cmd_validate(const std::vector<std::string>& files, const Machine& machine);
/// Probes what this machine can do (doctor.h); 0 when it can run topologies.
int cmd_doctor();
int cmd_run(const std::vector<std::string>& files, const SuiteOptions& options,
            const Machine& machine);
int cmd_up(const std::string& file, const Machine& machine);
int cmd_down(const std::string& run_id, bool all, const Machine& machine);
int cmd_list();
int cmd_exec(const std::string& node, const std::string& run_id,
             const std::vector<std::string>& argv);
int cmd_shell(const std::string& node, const std::string& run_id);
int cmd_clean(const Machine& machine);
int cmd_graph(const std::string& file, const std::string& svg_out);
int cmd_rules(const std::string& file, const std::string& node);

}  // namespace testbed
