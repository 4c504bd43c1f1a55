#pragma once
/// The testbed's commands, one function each, returning the process exit
/// code. The CLI (src/cli/main.cc) only parses arguments and calls these.
///
/// Exit codes: 0 success / every expectation held, 1 a scenario failed,
/// 2 bad input (nothing was created), 3 the machine cannot run it (not root,
/// a missing kernel feature), 130 interrupted.

#include <string>
#include <vector>

#include "core/runner.h"
#include "core/suite.h"

namespace testbed {

inline constexpr int kExitFail = 1;
inline constexpr int kExitBadInput = 2;
inline constexpr int kExitEnvironment = 3;
/// Nothing failed, but some scenarios could not run here (SKIP, with reasons).
inline constexpr int kExitSkipped = 4;
inline constexpr int kExitInterrupted = 130;

/// The topology files of `paths`: a file as it is, a folder as every
/// .yaml/.yml file below it, sorted.
std::vector<std::string> topology_files(const std::vector<std::string>& paths);

int cmd_validate(const std::vector<std::string>& files);
/// Probes what this machine can do (doctor.h); 0 when it can run topologies.
int cmd_doctor();
int cmd_run(const std::vector<std::string>& files, const SuiteOptions& options);
int cmd_up(const std::string& file);
int cmd_down(const std::string& run_id, bool all);
int cmd_list();
int cmd_exec(const std::string& node, const std::string& run_id,
             const std::vector<std::string>& argv);
int cmd_shell(const std::string& node, const std::string& run_id);
int cmd_clean();
int cmd_graph(const std::string& file, const std::string& svg_out);
int cmd_rules(const std::string& file, const std::string& router);

}  // namespace testbed
