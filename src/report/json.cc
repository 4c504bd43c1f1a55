#include "report/json.h"

#include "model/json_text.h"

namespace testbed {

nlohmann::json report_to_json(const RunReport& r) {
    nlohmann::json checks = nlohmann::json::array();
    for (const auto& c : r.checks) {
        checks.push_back({{"process", c.process},
                          {"what", c.what},
                          {"expected", c.expected},
                          {"actual", c.actual},
                          {"passed", c.passed}});
    }
    nlohmann::json steps = nlohmann::json::array();
    for (const auto& s : r.steps) steps.push_back({{"what", s.what}, {"ms", s.ms}, {"ok", s.ok}});
    nlohmann::json rows = nlohmann::json::array();
    for (const auto& l : r.ladder.rows) {
        rows.push_back({{"ms", l.ms},
                        {"network", l.network},
                        {"from", l.from},
                        {"to", l.to},
                        {"what", l.what},
                        {"translation", l.translation}});
    }
    return {{"name", r.name},
            {"run_id", r.run_id},
            {"log_dir", r.log_dir},
            {"passed", r.passed},
            {"interrupted", r.interrupted},
            {"skipped", r.skipped},
            {"skip_reason", r.skip_reason},
            {"errors", r.errors},
            {"warnings", r.warnings},
            {"checks", checks},
            {"steps", steps},
            {"captures", r.captures},
            {"ladder", {{"nodes", r.ladder.nodes}, {"rows", rows}, {"omitted", r.ladder.omitted}}},
            {"build_ms", r.build_ms},
            {"run_ms", r.run_ms},
            {"teardown_ms", r.teardown_ms}};
}

RunReport report_from_json(const nlohmann::json& j) {
    RunReport r;
    r.name = j.value("name", "");
    r.run_id = j.value("run_id", "");
    r.log_dir = j.value("log_dir", "");
    r.passed = j.value("passed", false);
    r.interrupted = j.value("interrupted", false);
    r.skipped = j.value("skipped", false);
    r.skip_reason = j.value("skip_reason", "");
    r.errors = j.value("errors", std::vector<std::string>{});
    r.warnings = j.value("warnings", std::vector<std::string>{});
    for (const auto& c : j.value("checks", nlohmann::json::array())) {
        r.checks.push_back({c.value("process", ""), c.value("what", ""), c.value("expected", ""),
                            c.value("actual", ""), c.value("passed", false)});
    }
    for (const auto& s : j.value("steps", nlohmann::json::array()))
        r.steps.push_back({s.value("what", ""), s.value("ms", 0.0), s.value("ok", true)});
    r.captures = j.value("captures", std::vector<std::string>{});
    const auto ladder = j.value("ladder", nlohmann::json::object());
    r.ladder.nodes = ladder.value("nodes", std::vector<std::string>{});
    r.ladder.omitted = ladder.value("omitted", size_t{0});
    for (const auto& l : ladder.value("rows", nlohmann::json::array())) {
        r.ladder.rows.push_back({l.value("ms", 0.0), l.value("network", ""), l.value("from", ""),
                                 l.value("to", ""), l.value("what", ""),
                                 l.value("translation", "")});
    }
    r.build_ms = j.value("build_ms", 0.0);
    r.run_ms = j.value("run_ms", 0.0);
    r.teardown_ms = j.value("teardown_ms", 0.0);
    return r;
}

std::string suite_json(const std::vector<ScenarioResult>& results) {
    nlohmann::json scenarios = nlohmann::json::array();
    size_t passed = 0, failed = 0, skipped = 0;
    for (const auto& r : results) {
        nlohmann::json cell = nlohmann::json::object();
        for (const auto& [k, v] : r.topo->cell) cell[k] = v;
        nlohmann::json runs = nlohmann::json::array();
        for (const auto& run : r.runs) runs.push_back(report_to_json(run));
        const bool skip = r.all_skipped();
        const bool pass = !skip && !r.failed() && !r.runs.empty();
        (skip ? skipped : pass ? passed : failed) += 1;
        scenarios.push_back({{"name", r.topo->name},
                             {"file", r.topo->file},
                             {"matrix", r.topo->matrix_name},
                             {"cell", cell},
                             {"outcome", r.topo->outcome},
                             {"outcome_reason", r.topo->outcome_reason},
                             {"result", skip   ? "skip"
                                        : pass ? "pass"
                                               : "fail"},
                             {"passes", r.passes()},
                             {"runs", runs}});
    }
    const nlohmann::json report{{"summary",
                                 {{"scenarios", results.size()},
                                  {"passed", passed},
                                  {"failed", failed},
                                  {"skipped", skipped}}},
                                {"scenarios", scenarios}};
    return json_text(report, 2) + "\n";
}

}  // namespace testbed
