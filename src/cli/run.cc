#include <fmt/core.h>

#include <filesystem>

#include "base/error.h"
#include "base/interrupt.h"
#include "base/log.h"
#include "base/safe_file.h"
#include "cli/commands.h"
#include "cli/inputs.h"
#include "report/terminal.h"
#include "run/preflight.h"
#include "run/scenario.h"
#include "suite/selection.h"
#include "suite/suite.h"

namespace testbed {

int cmd_run(const std::vector<std::string>& paths, const SuiteOptions& options,
            const Machine& machine) {
    const auto found = topology_files(paths);
    if (!found) return kExitBadInput;
    const std::vector<std::string>& files = *found;
    // Every file is validated before anything is created: a bad file in the
    // list changes nothing on the machine.
    std::vector<Topology> all;
    for (const auto& file : files) {
        auto cells = load_scenarios(file);
        if (!cells) return kExitBadInput;
        for (auto& c : *cells) all.push_back(std::move(c));
    }
    const auto selected = select_scenarios(all, options);
    if (selected.empty()) {
        log::error("no scenario selected ({} in the files{})", all.size(),
                   options.filter ? fmt::format(", filter '{}'", options.filter_text) : "");
        return kExitBadInput;
    }
    if (!require_root("run")) return kExitEnvironment;
    // A log root someone else could rename things in, or a report that
    // cannot be written, is found now, before anything is built.
    ReportFiles reports;
    try {
        (void)trusted_folder_root(options.run.log_root.empty()
                                      ? std::filesystem::temp_directory_path().string()
                                      : options.run.log_root);
    } catch (const Error& e) {
        log::error("the log folder: {}", e.what());
        return kExitBadInput;
    }
    try {
        reports = open_report_files(options);
    } catch (const Error& e) {
        log::error("{}", e.what());
        return kExitBadInput;
    }
    install_interrupt_handlers();
    TerminalStatus status(selected.size() * static_cast<size_t>(options.repeat),
                          options.run.keeps_passing_logs());
    // Each distinct ruleset is checked once here; `-j` children inherit the verdicts.
    prime_kernel_features(selected, *machine.kernel());
    const ScenarioRunner runner = [&machine](const Topology& topo, const RunOptions& run) {
        const std::unique_ptr<Kernel> kernel = machine.kernel();
        const std::unique_ptr<Launcher> launcher = machine.launcher();
        return run_scenario(topo, run, *kernel, *launcher);
    };
    const auto results = run_suite(selected, options, runner, status, reports);
    size_t failed = 0, skipped = 0, passed = 0;
    for (const auto& r : results) {
        if (r.all_skipped())
            ++skipped;
        else if (r.failed() || r.runs.empty())
            ++failed;
        else
            ++passed;
    }
    if (results.size() > 1 || skipped > 0) {
        fmt::print("{} passed, {} failed, {} skipped\n", passed, failed, skipped);
    }
    if (interrupted()) return kExitInterrupted;
    if (failed > 0) return kExitFail;
    // Never 0 without the reports asked for: CI would read a pass from nothing.
    if (!reports.unwritten.empty()) return kExitEnvironment;
    return skipped > 0 ? kExitSkipped : 0;
}

}  // namespace testbed
