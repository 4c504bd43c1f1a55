#include "suite/suite.h"

#include <fmt/core.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "base/error.h"
#include "base/file.h"
#include "base/interrupt.h"
#include "base/log.h"
#include "base/safe_file.h"
#include "report/html.h"
#include "report/json.h"
#include "report/junit.h"
#include "report/matrix_table.h"
#include "suite/pool.h"

namespace testbed {
namespace {

void run_in_process(const std::vector<const Topology*>& scenarios, const SuiteOptions& o,
                    const ScenarioRunner& runner, std::vector<ScenarioResult>& results,
                    SuiteStatus& status) {
    for (int r = 0; r < o.repeat && !interrupted(); ++r) {
        for (size_t i = 0; i < scenarios.size() && !interrupted(); ++i) {
            status.started(*scenarios[i]);
            RunOptions mine = o.run;
            if (o.repeat > 1 || scenarios.size() > 1) mine.run_id.clear();
            RunReport report = runner(*scenarios[i], mine);
            status.done(report);
            const bool stop = report.interrupted;
            results[i].runs.push_back(std::move(report));
            if (stop) return;
        }
    }
}

void print_pass_rates(const std::vector<ScenarioResult>& results, int repeat) {
    fmt::print("\npass rate over {} runs each:\n", repeat);
    for (const auto& r : results) {
        fmt::print("  {:5.1f}%  {}{}\n",
                   r.runs.empty() ? 0.0
                                  : 100.0 * static_cast<double>(r.passes()) /
                                        static_cast<double>(r.runs.size()),
                   r.topo->name, r.skips() ? fmt::format(" ({} skipped)", r.skips()) : "");
    }
}

/// A report `path`, opened before the run, if one was asked for: 0600
/// unless asked (it embeds logs); never through a link or over someone
/// else's file.
Fd open_report(const std::string& path, unsigned mode) {
    if (path.empty()) return Fd();
    try {
        return create_report_file(path, mode);
    } catch (const Error& e) {
        throw Error(fmt::format("cannot write the report: {}", e.what()));
    }
}

void write_report(const Fd& fd, const std::string& path, const std::string& text,
                  ReportFiles& reports) {
    if (!fd.valid()) return;
    if (write_all(fd.get(), text)) return;
    log::error("cannot write the report {}: {}", path, std::strerror(errno));
    reports.unwritten.push_back(path);
}

void drop_passing_logs(std::vector<ScenarioResult>& results) {
    for (auto& r : results) {
        for (auto& run : r.runs) {
            if (!run.passed || run.log_dir.empty()) continue;
            std::error_code ec;
            std::filesystem::remove_all(run.log_dir, ec);
            run.log_dir.clear();
        }
    }
}

}  // namespace

ReportFiles open_report_files(const SuiteOptions& o) {
    ReportFiles files;
    files.junit = open_report(o.junit_path, o.report_mode);
    files.json = open_report(o.json_path, o.report_mode);
    files.html = open_report(o.html_path, o.report_mode);
    return files;
}

std::vector<ScenarioResult> run_suite(const std::vector<const Topology*>& scenarios,
                                      const SuiteOptions& asked, const ScenarioRunner& runner,
                                      SuiteStatus& status, ReportFiles& reports) {
    // The HTML report shows every run's logs, so they are kept until it is
    // written; afterwards passing runs' folders go unless --keep-logs.
    SuiteOptions o = asked;
    if (!o.html_path.empty()) o.run.keep_logs = true;
    std::vector<ScenarioResult> results(scenarios.size());
    for (size_t i = 0; i < scenarios.size(); ++i) results[i].topo = scenarios[i];
    if (o.jobs <= 1) {
        run_in_process(scenarios, o, runner, results, status);
    } else {
        std::vector<size_t> queue;
        for (int r = 0; r < o.repeat; ++r) {
            for (size_t i = 0; i < scenarios.size(); ++i) queue.push_back(i);
        }
        run_in_children(scenarios, queue, o.jobs, o.run, runner, results, status);
    }
    status.finish();
    const std::string tables = format_matrix_tables(results);
    if (!tables.empty()) fmt::print("\n{}", tables);
    if (o.repeat > 1) print_pass_rates(results, o.repeat);
    if (reports.junit.valid())
        write_report(reports.junit, o.junit_path, junit_xml(results), reports);
    if (reports.json.valid()) write_report(reports.json, o.json_path, suite_json(results), reports);
    if (reports.html.valid()) {
        write_report(reports.html, o.html_path, html_report(results), reports);
        if (!asked.run.keeps_passing_logs()) drop_passing_logs(results);
    }
    return results;
}

}  // namespace testbed
