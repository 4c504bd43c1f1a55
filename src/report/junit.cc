#include "report/junit.h"

#include <fmt/core.h>

#include <filesystem>
#include <map>

#include "report/escape.h"
#include "report/logs.h"

namespace testbed {
namespace {

/// The end of each log file of a run, one after the other.
std::string logs_of(const RunReport& r) {
    std::string out;
    for (const auto& f : run_logs(r, 4096)) out += fmt::format("==> {} <==\n{}\n", f.name, f.text);
    return out;
}

std::string failure_text(const RunReport& r) {
    std::string out;
    for (const auto& e : r.errors) out += fmt::format("error: {}\n", e);
    for (const auto& c : r.checks) {
        if (!c.passed)
            out += fmt::format("{} {}: expected {}, got {}\n", c.process, c.what, c.expected,
                               c.actual);
    }
    return out;
}

}  // namespace

std::string junit_xml(const std::vector<ScenarioResult>& results) {
    std::vector<std::string> order;
    std::map<std::string, std::vector<const ScenarioResult*>> by_file;
    for (const auto& r : results) {
        if (!by_file.count(r.topo->file)) order.push_back(r.topo->file);
        by_file[r.topo->file].push_back(&r);
    }
    size_t tests = 0, failures = 0, skipped = 0;
    double total = 0;
    std::string suites;
    for (const auto& file : order) {
        size_t t = 0, f = 0, s = 0;
        double secs = 0;
        std::string cases;
        for (const auto* r : by_file[file]) {
            for (size_t k = 0; k < r->runs.size(); ++k) {
                const RunReport& run = r->runs[k];
                ++t;
                secs += run.seconds();
                const std::string name = r->runs.size() > 1
                                             ? fmt::format("{} #{}", r->topo->name, k + 1)
                                             : r->topo->name;
                cases += fmt::format("    <testcase classname=\"{}\" name=\"{}\" time=\"{:.3f}\"",
                                     xml_escape(std::filesystem::path(file).stem().string()),
                                     xml_escape(name), run.seconds());
                if (run.skipped) {
                    ++s;
                    cases += fmt::format(">\n      <skipped message=\"{}\"/>\n    </testcase>\n",
                                         xml_escape(run.skip_reason));
                } else if (!run.passed) {
                    ++f;
                    const std::string why = failure_text(run);
                    cases += fmt::format(
                        ">\n      <failure message=\"{}\" type=\"{}\">{}</failure>\n      "
                        "<system-out>{}</system-out>\n    </testcase>\n",
                        xml_escape(why.substr(0, why.find('\n'))),
                        run.interrupted ? "interrupted" : "expectation", xml_escape(why),
                        xml_escape(logs_of(run)));
                } else {
                    cases += "/>\n";
                }
            }
        }
        suites += fmt::format(
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"0\" skipped=\"{}\" "
            "time=\"{:.3f}\">\n{}  </testsuite>\n",
            xml_escape(file), t, f, s, secs, cases);
        tests += t;
        failures += f;
        skipped += s;
        total += secs;
    }
    return fmt::format(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"testbed\" tests=\"{}\" "
        "failures=\"{}\" errors=\"0\" skipped=\"{}\" time=\"{:.3f}\">\n{}</testsuites>\n",
        tests, failures, skipped, total, suites);
}

}  // namespace testbed
