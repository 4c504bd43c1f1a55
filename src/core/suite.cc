#include "core/suite.h"

#include <fcntl.h>
#include <fmt/core.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "core/html_report.h"
#include "core/interrupt.h"
#include "core/log.h"

namespace testbed {

size_t ScenarioResult::passes() const {
    size_t n = 0;
    for (const auto& r : runs) n += r.passed ? 1 : 0;
    return n;
}

size_t ScenarioResult::skips() const {
    size_t n = 0;
    for (const auto& r : runs) n += r.skipped ? 1 : 0;
    return n;
}

std::vector<const Topology*> select_scenarios(const std::vector<Topology>& all,
                                              const SuiteOptions& o) {
    std::vector<const Topology*> filtered;
    for (const auto& t : all) {
        if (!o.filter || std::regex_search(t.name, *o.filter)) filtered.push_back(&t);
    }
    std::vector<const Topology*> out;
    for (size_t i = 0; i < filtered.size(); ++i) {
        if (static_cast<int>(i % static_cast<size_t>(o.shard_count)) == o.shard_index)
            out.push_back(filtered[i]);
    }
    return out;
}

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

std::string xml_escape(const std::string& s) {
    std::string out;
    for (char c : s) {
        switch (c) {
            case '&':
                out += "&amp;";
                break;
            case '<':
                out += "&lt;";
                break;
            case '>':
                out += "&gt;";
                break;
            case '"':
                out += "&quot;";
                break;
            case '\'':
                out += "&apos;";
                break;
            default:
                // XML 1.0 allows no control characters but tab, newline and carriage return.
                if (static_cast<unsigned char>(c) < 0x20 && c != '\n' && c != '\t' && c != '\r')
                    out += '?';
                else
                    out += c;
        }
    }
    return out;
}

std::vector<LogFile> run_logs(const RunReport& r, size_t limit) {
    std::vector<LogFile> out;
    if (r.log_dir.empty()) return out;
    std::error_code ec;
    std::vector<std::filesystem::path> files;
    for (const auto& e : std::filesystem::directory_iterator(r.log_dir, ec)) {
        if (e.path().extension() != ".pcap") files.push_back(e.path());  // binary, linked apart
    }
    std::sort(files.begin(), files.end());
    for (const auto& f : files) {
        std::ifstream in(f, std::ios::binary);
        std::ostringstream buffer;
        buffer << in.rdbuf();
        std::string text = buffer.str();
        if (text.size() > limit)
            text = fmt::format("[... {} bytes]\n{}", text.size() - limit,
                               text.substr(text.size() - limit));
        out.push_back({f.filename().string(), std::move(text)});
    }
    return out;
}

namespace {

using Clock = std::chrono::steady_clock;

/// One scenario run in a child process: its report comes back as JSON on a pipe.
struct Child {
    pid_t pid = -1;
    int pipe = -1;
    size_t scenario = 0;
    std::string output;
};

Child start_child(const Topology& topo, size_t index, const RunOptions& options) {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) throw Error(fmt::format("pipe2: {}", std::strerror(errno)));
    const pid_t pid = ::fork();
    if (pid < 0) throw Error(fmt::format("fork: {}", std::strerror(errno)));
    if (pid == 0) {
        ::close(fds[0]);
        // Dies with the parent; its own programs die with it in turn.
        ::prctl(PR_SET_PDEATHSIG, SIGKILL);
        RunOptions mine = options;
        mine.run_id.clear();  // each scenario its own run-scoped names
        const std::string json = report_to_json(run_scenario(topo, mine)).dump();
        size_t written = 0;
        while (written < json.size()) {
            const ssize_t n = ::write(fds[1], json.data() + written, json.size() - written);
            if (n <= 0) break;
            written += static_cast<size_t>(n);
        }
        ::_exit(0);
    }
    ::close(fds[1]);
    return Child{pid, fds[0], index, {}};
}

RunReport finish_child(Child& c, const Topology& topo) {
    int status = 0;
    while (::waitpid(c.pid, &status, 0) < 0 && errno == EINTR) {
    }
    ::close(c.pipe);
    try {
        return report_from_json(nlohmann::json::parse(c.output));
    } catch (const std::exception&) {
        RunReport r;
        r.name = topo.name;
        r.errors.push_back(fmt::format("the scenario's process ended without a report ({})",
                                       WIFSIGNALED(status)
                                           ? fmt::format("signal {}", WTERMSIG(status))
                                           : fmt::format("exit {}", WEXITSTATUS(status))));
        return r;
    }
}

/// The terminal report. On a terminal one status line (count, passes,
/// failures, skips, elapsed, what is running) stays at the bottom and is
/// redrawn in place; otherwise plain lines, one per event, for CI logs.
class Printer {
  public:
    Printer(size_t total, int repeat, bool show_passing_logs)
        : total_(total * static_cast<size_t>(repeat)),
          show_passing_logs_(show_passing_logs),
          tty_(::isatty(STDOUT_FILENO) == 1),
          start_(Clock::now()) {}

    void started(const Topology& t) {
        running_.push_back(t.name);
        if (tty_) {
            draw_status();
        } else {
            fmt::print("RUN  {} ({})\n", t.name, t.file);
            flush();
        }
    }

    void done(RunReport r) {
        ++finished_;
        if (r.skipped)
            ++skipped_;
        else if (r.passed)
            ++passed_;
        else
            ++failed_;
        if (auto it = std::find(running_.begin(), running_.end(), r.name); it != running_.end())
            running_.erase(it);
        if (r.passed && !show_passing_logs_) r.log_dir.clear();  // removed after the reports
        clear_status();
        // One scenario: every check; a suite: verdicts and what failed.
        fmt::print("{}", format_report(r, total_ == 1));
        if (tty_)
            draw_status();
        else
            fmt::print("{}\n", counts());
        flush();
    }

    /// Redraws the elapsed time; called while waiting.
    void tick() {
        if (tty_) draw_status();
    }

    /// Leaves the last counts on a line of their own.
    void finish() {
        if (!tty_) return;
        clear_status();
        fmt::print("{}\n", counts());
        flush();
    }

  private:
    /// Terminal output is best effort: a closed stdout must not stop the run.
    static void flush() { (void)std::fflush(stdout); }

    std::string counts() const {
        const double s = std::chrono::duration<double>(Clock::now() - start_).count();
        return fmt::format("[{}/{}] {} passed, {} failed, {} skipped, {:.1f} s", finished_, total_,
                           passed_, failed_, skipped_, s);
    }

    void draw_status() {
        std::string line = counts();
        if (!running_.empty()) line += " | running: ";
        for (size_t i = 0; i < running_.size(); ++i) line += (i ? ", " : "") + running_[i];
        winsize ws{};
        const size_t width =
            ::ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 4 ? ws.ws_col : 80;
        if (line.size() >= width) line = line.substr(0, width - 4) + "...";
        fmt::print("\r\033[K{}", line);
        flush();
        status_shown_ = true;
    }

    void clear_status() {
        if (!status_shown_) return;
        fmt::print("\r\033[K");
        status_shown_ = false;
    }

    size_t total_;
    bool show_passing_logs_;
    bool tty_;
    bool status_shown_ = false;
    size_t finished_ = 0, passed_ = 0, failed_ = 0, skipped_ = 0;
    std::vector<std::string> running_;
    Clock::time_point start_;
};

void run_parallel(const std::vector<const Topology*>& scenarios, const SuiteOptions& o,
                  std::vector<ScenarioResult>& results, Printer& printer) {
    std::vector<size_t> queue;
    for (int r = 0; r < o.repeat; ++r) {
        for (size_t i = 0; i < scenarios.size(); ++i) queue.push_back(i);
    }
    size_t next = 0;
    std::vector<Child> running;
    while (next < queue.size() || !running.empty()) {
        while (!interrupted() && next < queue.size() &&
               running.size() < static_cast<size_t>(o.jobs)) {
            const size_t i = queue[next++];
            printer.started(*scenarios[i]);
            running.push_back(start_child(*scenarios[i], i, o.run));
        }
        std::vector<pollfd> fds;
        fds.reserve(running.size());
        for (const auto& c : running) fds.push_back({c.pipe, POLLIN, 0});
        if (::poll(fds.data(), fds.size(), 200) < 0 && errno != EINTR) break;
        printer.tick();
        for (size_t k = running.size(); k-- > 0;) {
            if (!(fds[k].revents & (POLLIN | POLLHUP))) continue;
            char buffer[65536];
            const ssize_t n = ::read(running[k].pipe, buffer, sizeof buffer);
            if (n > 0) {
                running[k].output.append(buffer, static_cast<size_t>(n));
                continue;
            }
            const size_t i = running[k].scenario;
            RunReport report = finish_child(running[k], *scenarios[i]);
            printer.done(report);
            results[i].runs.push_back(std::move(report));
            running.erase(running.begin() + static_cast<std::ptrdiff_t>(k));
        }
    }
}

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

double seconds(const RunReport& r) {
    return (r.build_ms + r.run_ms + r.teardown_ms) / 1000.0;
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

std::vector<ScenarioResult> run_suite(const std::vector<const Topology*>& scenarios,
                                      const SuiteOptions& asked) {
    // The HTML report shows every run's logs, so they are kept until it is
    // written; afterwards passing runs' folders go unless --keep-logs.
    SuiteOptions o = asked;
    if (!o.html_path.empty()) o.run.keep_logs = true;
    std::vector<ScenarioResult> results(scenarios.size());
    for (size_t i = 0; i < scenarios.size(); ++i) results[i].topo = scenarios[i];
    Printer printer(scenarios.size(), o.repeat, asked.run.keep_logs);
    if (o.jobs <= 1) {
        for (int r = 0; r < o.repeat && !interrupted(); ++r) {
            for (size_t i = 0; i < scenarios.size() && !interrupted(); ++i) {
                printer.started(*scenarios[i]);
                RunOptions mine = o.run;
                if (o.repeat > 1 || scenarios.size() > 1) mine.run_id.clear();
                RunReport report = run_scenario(*scenarios[i], mine);
                printer.done(report);
                const bool stop = report.interrupted;
                results[i].runs.push_back(std::move(report));
                if (stop) break;
            }
        }
    } else {
        run_parallel(scenarios, o, results, printer);
    }
    printer.finish();
    const std::string tables = format_matrix_tables(results);
    if (!tables.empty()) fmt::print("\n{}", tables);
    if (o.repeat > 1) {
        fmt::print("\npass rate over {} runs each:\n", o.repeat);
        for (const auto& r : results) {
            fmt::print("  {:5.1f}%  {}{}\n",
                       r.runs.empty() ? 0.0
                                      : 100.0 * static_cast<double>(r.passes()) /
                                            static_cast<double>(r.runs.size()),
                       r.topo->name, r.skips() ? fmt::format(" ({} skipped)", r.skips()) : "");
        }
    }
    auto write = [](const std::string& path, const std::string& text) {
        std::ofstream out(path);
        out << text;
        if (!out) log::error("cannot write '{}'", path);
    };
    if (!o.junit_path.empty()) write(o.junit_path, junit_xml(results));
    if (!o.json_path.empty()) write(o.json_path, suite_json(results));
    if (!o.html_path.empty()) {
        write(o.html_path, html_report(results));
        if (!asked.run.keep_logs && !asked.run.capture) drop_passing_logs(results);
    }
    return results;
}

std::string format_matrix_tables(const std::vector<ScenarioResult>& results) {
    // Group the cells of each matrix file, in order of appearance.
    std::vector<std::string> order;
    std::map<std::string, std::vector<const ScenarioResult*>> groups;
    for (const auto& r : results) {
        if (r.topo->cell.empty() || r.runs.empty()) continue;
        const std::string key = r.topo->file + "\n" + r.topo->matrix_name;
        if (!groups.count(key)) order.push_back(key);
        groups[key].push_back(&r);
    }
    std::string out;
    size_t all_pass = 0, all_total = 0;
    for (const auto& key : order) {
        const auto& cells = groups[key];
        const auto& axes = cells.front()->topo->cell;
        const std::string& name = cells.front()->topo->matrix_name;
        auto values_of = [&](size_t axis) {
            std::vector<std::string> v;
            for (const auto* c : cells) {
                const std::string& label = c->topo->cell.at(axis).second;
                if (std::find(v.begin(), v.end(), label) == v.end()) v.push_back(label);
            }
            return v;
        };
        const auto rows = values_of(0);
        const auto cols = axes.size() > 1 ? values_of(1) : std::vector<std::string>{""};
        // One table per combination of the other axes.
        std::vector<std::string> rest_keys;
        for (const auto* c : cells) {
            std::string rest;
            for (size_t a = 2; a < c->topo->cell.size(); ++a)
                rest += fmt::format("{}{}={}", rest.empty() ? "" : ", ", c->topo->cell[a].first,
                                    c->topo->cell[a].second);
            if (std::find(rest_keys.begin(), rest_keys.end(), rest) == rest_keys.end())
                rest_keys.push_back(rest);
        }
        for (const auto& rest : rest_keys) {
            out += fmt::format("{}{}\n", name, rest.empty() ? "" : fmt::format(" ({})", rest));
            std::vector<std::vector<std::string>> grid;
            std::vector<std::string> header{
                fmt::format("{} \\ {}", axes[0].first, axes.size() > 1 ? axes[1].first : "")};
            for (const auto& c : cols) header.push_back(c);
            header.push_back("passed");
            grid.push_back(header);
            size_t table_pass = 0, table_total = 0;
            for (const auto& row : rows) {
                std::vector<std::string> line{row};
                size_t row_pass = 0, row_total = 0;
                for (const auto& col : cols) {
                    const ScenarioResult* hit = nullptr;
                    for (const auto* c : cells) {
                        std::string crest;
                        for (size_t a = 2; a < c->topo->cell.size(); ++a)
                            crest += fmt::format("{}{}={}", crest.empty() ? "" : ", ",
                                                 c->topo->cell[a].first, c->topo->cell[a].second);
                        if (c->topo->cell[0].second == row &&
                            (axes.size() < 2 || c->topo->cell[1].second == col) && crest == rest)
                            hit = c;
                    }
                    if (!hit) {
                        line.push_back("-");
                        continue;
                    }
                    const size_t p = hit->passes(), n = hit->runs.size() - hit->skips();
                    std::string mark = hit->skips() == hit->runs.size() ? "skip"
                                       : hit->runs.size() == 1          ? (p == 1 ? "ok" : "FAIL")
                                                               : fmt::format("{}/{}", p, n);
                    line.push_back(hit->topo->outcome.empty()
                                       ? mark
                                       : fmt::format("{} {}", hit->topo->outcome, mark));
                    row_pass += p;
                    row_total += n;
                }
                line.push_back(fmt::format("{}/{} {:.0f}%", row_pass, row_total,
                                           row_total ? 100.0 * static_cast<double>(row_pass) /
                                                           static_cast<double>(row_total)
                                                     : 0.0));
                table_pass += row_pass;
                table_total += row_total;
                grid.push_back(line);
            }
            std::vector<size_t> widths(grid[0].size(), 0);
            for (const auto& line : grid) {
                for (size_t i = 0; i < line.size() && i < widths.size(); ++i)
                    widths[i] = std::max(widths[i], line[i].size());
            }
            for (const auto& line : grid) {
                std::string text = " ";
                for (size_t i = 0; i < line.size(); ++i)
                    text += fmt::format(" {:<{}}", line[i], widths[i]);
                while (!text.empty() && text.back() == ' ') text.pop_back();
                out += text + "\n";
            }
            out += fmt::format("  total: {}/{} passed ({:.0f}%)\n\n", table_pass, table_total,
                               table_total ? 100.0 * static_cast<double>(table_pass) /
                                                 static_cast<double>(table_total)
                                           : 0.0);
            all_pass += table_pass;
            all_total += table_total;
        }
    }
    (void)all_pass;
    (void)all_total;
    return out;
}

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
                secs += seconds(run);
                const std::string name = r->runs.size() > 1
                                             ? fmt::format("{} #{}", r->topo->name, k + 1)
                                             : r->topo->name;
                cases += fmt::format("    <testcase classname=\"{}\" name=\"{}\" time=\"{:.3f}\"",
                                     xml_escape(std::filesystem::path(file).stem().string()),
                                     xml_escape(name), seconds(run));
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

std::string suite_json(const std::vector<ScenarioResult>& results) {
    nlohmann::json scenarios = nlohmann::json::array();
    size_t passed = 0, failed = 0, skipped = 0;
    for (const auto& r : results) {
        nlohmann::json cell = nlohmann::json::object();
        for (const auto& [k, v] : r.topo->cell) cell[k] = v;
        nlohmann::json runs = nlohmann::json::array();
        for (const auto& run : r.runs) runs.push_back(report_to_json(run));
        const bool skip = !r.runs.empty() && r.skips() == r.runs.size();
        const bool pass = !skip && !r.failed() && !r.runs.empty();
        (skip ? skipped : pass ? passed : failed) += 1;
        scenarios.push_back({{"name", r.topo->name},
                             {"file", r.topo->file},
                             {"matrix", r.topo->matrix_name},
                             {"cell", cell},
                             {"outcome", r.topo->outcome},
                             {"result", skip   ? "skip"
                                        : pass ? "pass"
                                               : "fail"},
                             {"passes", r.passes()},
                             {"runs", runs}});
    }
    return nlohmann::json{{"summary",
                           {{"scenarios", results.size()},
                            {"passed", passed},
                            {"failed", failed},
                            {"skipped", skipped}}},
                          {"scenarios", scenarios}}
               .dump(2) +
           "\n";
}

}  // namespace testbed
