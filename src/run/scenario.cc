#include "run/scenario.h"

#include <fmt/core.h>
#include <fmt/ranges.h>
#include <sys/random.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>

#include "base/interrupt.h"
#include "base/safe_file.h"
#include "plan/plan.h"
#include "plan/port_mapping.h"
#include "run/preflight.h"
#include "run/scenario_run.h"

namespace testbed {
namespace {

/// The programs the steps and the routers' gateway daemons start that
/// cannot be found.
std::vector<std::string> missing_programs(const Topology& topo, const Launcher& launcher) {
    std::vector<std::string> out;
    const auto check = [&](const std::string& program, const std::string& whose) {
        if (launcher.can_find(program)) return;
        const std::string why = fmt::format("program '{}' ({}) is not installed", program, whose);
        if (std::find(out.begin(), out.end(), why) == out.end()) out.push_back(why);
    };
    for (const auto& router : topo.routers) {
        if (!router.port_mapping) continue;
        check(kGatewayProgram, fmt::format("the port-mapping gateway of router '{}'; Debian's "
                                           "miniupnpd-nftables",
                                           router.name));
    }
    for (const auto& step : topo.steps) {
        const auto* s = std::get_if<StartStep>(&step.action);
        if (s && !s->argv.empty()) check(s->argv[0], fmt::format("step '{}'", s->name));
    }
    return out;
}

/// Matrix cells are named "file[a,b]": folder names stay shell-friendly.
std::string folder_name(const std::string& name) {
    std::string folder = name;
    for (char& c : folder) {
        if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' && c != '.')
            c = '_';
    }
    return folder;
}

void remove_logs(RunReport& report) {
    std::error_code ec;
    std::filesystem::remove_all(report.log_dir, ec);
    report.log_dir.clear();
}

/// Builds, runs, checks and tears down; every failure lands in the report.
void run_built(const Topology& topo, const NetworkPlan& plan, const RunOptions& options,
               Kernel& kernel, Launcher& launcher, const HeldFolder& log_folder,
               RunReport& report) {
    ScenarioRun run(topo, plan, options, kernel, launcher, log_folder, report);
    try {
        run.build();
        run.run_steps();
    } catch (const Interrupted&) {
        report.interrupted = true;
        report.errors.push_back("interrupted");
    } catch (const std::exception& e) {
        report.errors.push_back(e.what());
    }
    try {
        run.finish();
    } catch (const std::exception& e) {
        report.errors.push_back(e.what());
    }
    run.teardown();
}

}  // namespace

std::string new_run_id() {
    uint32_t value = 0;
    if (getrandom(&value, sizeof value, 0) != sizeof value)
        value = static_cast<uint32_t>(::getpid());
    return fmt::format("{:06x}", value & 0xffffff);
}

RunReport run_scenario(const Topology& topo, const RunOptions& options, Kernel& kernel,
                       Launcher& launcher) {
    RunReport report;
    report.name = topo.name.empty() ? std::filesystem::path(topo.file).stem().string() : topo.name;
    report.run_id = options.run_id.empty() ? new_run_id() : options.run_id;
    const std::string root = options.log_root.empty()
                                 ? std::filesystem::temp_directory_path().string()
                                 : options.log_root;
    HeldFolder log_folder;
    try {
        // A new folder every run (mkdtemp), never one someone made
        // beforehand, below folders nobody else can rename things in; from
        // here on reached through its descriptor only.
        log_folder =
            make_unique_folder(trusted_folder_root(root), "testbed-" + folder_name(report.name));
        report.log_dir = log_folder.path;
    } catch (const Error& e) {
        report.errors.push_back(e.what());
        return report;
    }
    // What cannot run here is said before anything is built: a SKIP with
    // the reason, never a pass.
    std::vector<std::string> missing = missing_programs(topo, launcher);
    try {
        for (auto& e : check_kernel_features(topo, kernel)) missing.push_back(e);
    } catch (const std::exception& e) {
        report.errors.push_back(e.what());
    }
    if (!missing.empty() || !report.errors.empty()) {
        report.skipped = report.errors.empty();
        report.skip_reason = fmt::format("{}", fmt::join(missing, "; "));
        remove_logs(report);
        return report;
    }
    const NetworkPlan plan = plan_network(topo);
    run_built(topo, plan, options, kernel, launcher, log_folder, report);
    report.passed = report.all_held();
    if (report.passed && !options.keeps_passing_logs()) remove_logs(report);
    return report;
}

}  // namespace testbed
