#include "core/runner.h"

#include <fmt/core.h>
#include <fmt/ranges.h>
#include <sys/random.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <regex>
#include <sstream>

#include "core/capture.h"
#include "core/interrupt.h"
#include "core/linux_kernel.h"
#include "core/log.h"
#include "core/plan.h"
#include "core/preflight.h"
#include "core/process.h"
#include "core/ready.h"
#include "core/realizer.h"

namespace testbed {
namespace {

using Clock = std::chrono::steady_clock;

/// Arrows in a run's packet ladder; the pcap files have every frame.
constexpr size_t kLadderRows = 400;

double ms_since(Clock::time_point start) {
    return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

std::string read_file(const std::string& path) {
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

/// Polls `probe` until it returns true, the process dies, or the deadline
/// passes. Short waits on the process's pidfd pace the loop: no fixed sleeps.
template <typename Probe>
bool poll_until(Process& process, Duration timeout, Probe&& probe) {
    const auto deadline = Clock::now() + timeout;
    while (true) {
        throw_if_interrupted();
        if (probe()) return true;
        if (Clock::now() >= deadline) return false;
        if (process.wait_for(std::chrono::milliseconds(2))) return probe();
    }
}

class ScenarioRun {
  public:
    ScenarioRun(const Topology& topo, const RunOptions& options, RunReport& report)
        : topo_(topo), options_(options), report_(report) {}

    void run() {
        auto t0 = Clock::now();
        plan_ = plan_network(topo_);
        for (const auto& w : plan_.warnings) {
            log::warning("{}", w);
            report_.warnings.push_back(w);
        }
        realizer_ = std::make_unique<Realizer>(kernel_, plan_);
        realizer_->build();
        kernel_.close_sockets();
        if (options_.capture) start_capture();
        report_.build_ms = ms_since(t0);
        log::debug("built {} namespaces in {:.1f} ms", plan_.namespaces.size(), report_.build_ms);

        auto t1 = Clock::now();
        for (const auto& step : topo_.steps) {
            throw_if_interrupted();
            if (!run_step(step)) break;
        }
        report_.run_ms = ms_since(t1);
    }

    /// Stops what still runs, collects outcomes, checks expectations.
    void finish() {
        for (auto& [name, process] : processes_) process->stop(options_.stop_grace);
        if (capture_) finish_capture();
        for (const auto& e : topo_.expectations) {
            ProcessOutcome outcome;
            auto it = processes_.find(e.process);
            if (it != processes_.end()) {
                outcome.started = true;
                outcome.status = it->second->status();
                outcome.stdout_text = read_file(it->second->spec().stdout_path);
            }
            for (auto& c : check_expectation(e, outcome)) report_.checks.push_back(std::move(c));
        }
    }

    void teardown() {
        auto t = Clock::now();
        processes_.clear();
        capture_.reset();
        if (realizer_) realizer_->teardown();
        report_.teardown_ms = ms_since(t);
    }

  private:
    const Topology& topo_;
    const RunOptions& options_;
    RunReport& report_;
    NetworkPlan plan_;
    LinuxKernel kernel_;
    std::unique_ptr<Realizer> realizer_;
    std::map<std::string, std::unique_ptr<Process>> processes_;
    std::map<std::string, std::string> rules_;  ///< routers' rulesets changed by steps
    std::unique_ptr<Capture> capture_;

    void start_capture() {
        std::vector<int> fds;
        for (size_t i = 0; i < plan_.namespaces.size(); ++i)
            fds.push_back(kernel_.fd(realizer_->ns_id(i)));
        capture_ = std::make_unique<Capture>(plan_taps(plan_), fds, report_.log_dir);
    }

    void finish_capture() {
        std::vector<Sighting> frames = capture_->stop();
        report_.captures = capture_->files();
        std::vector<std::string> nodes;
        for (const auto& ns : plan_.namespaces) {
            if (ns.kind != NamespacePlan::Kind::bridge) nodes.push_back(ns.name);
        }
        report_.ladder = build_ladder(std::move(frames), nodes, kLadderRows);
    }

    bool run_step(const Step& step) {
        auto t = Clock::now();
        std::string what;
        bool ok = true;
        try {
            ok = std::visit([&](const auto& action) { return perform(action, what); }, step.action);
        } catch (const Interrupted&) {
            throw;
        } catch (const Error& e) {
            report_.errors.push_back(fmt::format("{}: {}", what, e.what()));
            ok = false;
        }
        report_.steps.push_back({what, ms_since(t), ok});
        log::debug("step '{}' {} in {:.1f} ms", what, ok ? "done" : "failed",
                   report_.steps.back().ms);
        return ok;
    }

    bool perform(const StartStep& s, std::string& what) {
        what = fmt::format("start {} on {}", s.name, s.node);
        return start(s);
    }

    bool perform(const WaitStep& w, std::string& what) {
        what = fmt::format("wait {}", fmt::join(w.names, ", "));
        return wait(w);
    }

    bool perform(const SleepStep& s, std::string& what) {
        what = fmt::format("sleep {}", format_duration(s.duration));
        sleep(s);
        return true;
    }

    bool perform(const LinkStep& l, std::string& what) {
        what = fmt::format("link {} on {} network {}", l.up ? "up" : "down", l.node, l.network);
        const int ns = realizer_->ns_id(node_index(l.node));
        if (l.up)
            kernel_.set_link_up(ns, l.network);
        else
            kernel_.set_link_down(ns, l.network);
        return true;
    }

    bool perform(const SetNatStep& s, std::string& what) {
        what = fmt::format("set-nat {} to {}", s.router,
                           s.nat.preset.empty() ? describe(s.nat.behaviour) : s.nat.preset);
        const RulesetResult next = plan_router_rules(topo_, *topo_.find_router(s.router), s.nat);
        for (const auto& w : next.warnings) {
            log::warning("{}", w);
            report_.warnings.push_back(w);
        }
        const int ns = realizer_->ns_id(node_index(s.router));
        // Timeouts the new behaviour does not set go back to the kernel's.
        for (const auto& [key, value] : default_timeout_sysctls()) {
            const bool set_anew = std::any_of(next.sysctls.begin(), next.sysctls.end(),
                                              [&k = key](const auto& kv) { return kv.first == k; });
            if (!set_anew) kernel_.set_sysctl(ns, key, value);
        }
        for (const auto& [key, value] : next.sysctls) kernel_.set_sysctl(ns, key, value);
        replace_rules(s.router, next.text);
        return true;
    }

    bool perform(const FlushStep& f, std::string& what) {
        what = fmt::format("flush {}", f.router);
        kernel_.flush_conntrack(realizer_->ns_id(node_index(f.router)));
        // Loading the rules anew empties the NAT engine's dynamic tables and
        // restarts its port counters.
        replace_rules(f.router, current_rules(f.router));
        return true;
    }

    size_t node_index(const std::string& node) const {
        return plan_.index_of(
            node, topo_.find_host(node) ? NamespacePlan::Kind::host : NamespacePlan::Kind::router);
    }

    const std::string& current_rules(const std::string& router) {
        auto it = rules_.find(router);
        if (it == rules_.end()) {
            it = rules_.emplace(router, plan_.namespaces[node_index(router)].ruleset).first;
        }
        return it->second;
    }

    /// Swaps the router's table for `next` in one nftables transaction.
    void replace_rules(const std::string& router, std::string next) {
        const std::string& current = current_rules(router);
        std::string commands =
            current.empty() ? "" : fmt::format("delete table ip {}\n", kTableName);
        commands += next;
        if (!commands.empty())
            kernel_.apply_ruleset(realizer_->ns_id(node_index(router)), commands);
        rules_[router] = std::move(next);
    }

    bool start(const StartStep& s) {
        const size_t ns = node_index(s.node);
        LaunchSpec spec;
        spec.name = s.name;
        spec.node = s.node;
        spec.netns_fd = kernel_.fd(realizer_->ns_id(ns));
        spec.argv = s.argv;
        spec.env = s.env;
        spec.stdout_path = fmt::format("{}/{}.stdout", report_.log_dir, s.name);
        spec.stderr_path = fmt::format("{}/{}.stderr", report_.log_dir, s.name);
        try {
            processes_[s.name] = Process::launch(spec, own_program_dir());
        } catch (const Error& e) {
            report_.errors.push_back(e.what());
            return false;
        }
        return await_ready(*processes_[s.name], s);
    }

    bool await_ready(Process& process, const StartStep& s) {
        const ReadySpec& r = s.ready;
        bool ready = true;
        std::string condition;
        switch (r.kind) {
            case ReadySpec::Kind::none:
                return true;
            case ReadySpec::Kind::udp_port:
            case ReadySpec::Kind::tcp_port: {
                const bool tcp = r.kind == ReadySpec::Kind::tcp_port;
                condition = fmt::format("{} port {} bound", tcp ? "TCP" : "UDP", r.port);
                ready = poll_until(process, r.timeout,
                                   [&] { return port_bound(process.pid(), tcp, r.port); });
                break;
            }
            case ReadySpec::Kind::stdout_regex: {
                condition = fmt::format("stdout matching /{}/", r.regex);
                const std::regex re(r.regex, std::regex::ECMAScript);
                ready = poll_until(process, r.timeout, [&] {
                    return std::regex_search(read_file(process.spec().stdout_path), re);
                });
                break;
            }
        }
        if (ready) return true;
        report_.errors.push_back(fmt::format(
            "start '{}': not ready ({}) within {}{}", s.name, condition, format_duration(r.timeout),
            process.exited() ? "; it ended with " + process.status().str() : ""));
        return false;
    }

    bool wait(const WaitStep& w) {
        const auto deadline = Clock::now() + w.timeout;
        std::vector<std::string> late;
        for (const auto& name : w.names) {
            Process& p = *processes_.at(name);
            while (!p.exited()) {
                throw_if_interrupted();
                const auto left = std::chrono::duration_cast<Duration>(deadline - Clock::now());
                if (left.count() <= 0) break;
                p.wait_for(left);
            }
            if (!p.exited()) late.push_back(name);
        }
        if (late.empty()) return true;
        report_.errors.push_back(fmt::format("wait: {} still running after {}",
                                             fmt::join(late, ", "), format_duration(w.timeout)));
        return false;
    }

    void sleep(const SleepStep& s) {
        const auto deadline = Clock::now() + s.duration;
        while (Clock::now() < deadline) {
            throw_if_interrupted();
            const auto left = std::chrono::duration_cast<Duration>(deadline - Clock::now());
            struct timespec ts {
                0, std::min<long>(50'000'000L, static_cast<long>(left.count()) * 1'000'000L)
            };
            nanosleep(&ts, nullptr);  // a `sleep` step asks for time to pass
        }
    }
};

}  // namespace

std::string new_run_id() {
    uint32_t value = 0;
    if (getrandom(&value, sizeof value, 0) != sizeof value)
        value = static_cast<uint32_t>(::getpid());
    return fmt::format("{:06x}", value & 0xffffff);
}

namespace {

/// The programs the steps start that are neither the testbed's nor on PATH.
std::vector<std::string> missing_programs(const Topology& topo) {
    std::vector<std::string> out;
    for (const auto& step : topo.steps) {
        const auto* s = std::get_if<StartStep>(&step.action);
        if (!s || s->argv.empty() || !find_program(s->argv[0]).empty()) continue;
        const std::string why =
            fmt::format("program '{}' (step '{}') is not installed", s->argv[0], s->name);
        if (std::find(out.begin(), out.end(), why) == out.end()) out.push_back(why);
    }
    return out;
}

}  // namespace

RunReport run_scenario(const Topology& topo, const RunOptions& options) {
    RunReport report;
    report.name = topo.name.empty() ? std::filesystem::path(topo.file).stem().string() : topo.name;
    report.run_id = options.run_id.empty() ? new_run_id() : options.run_id;
    const std::string root = options.log_root.empty()
                                 ? std::filesystem::temp_directory_path().string()
                                 : options.log_root;
    // Matrix cells are named "file[a,b]": keep folder names shell-friendly.
    std::string folder = report.name;
    for (char& c : folder) {
        if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' && c != '.')
            c = '_';
    }
    report.log_dir = fmt::format("{}/testbed-{}-{}", root, folder, report.run_id);
    std::error_code ec;
    std::filesystem::create_directories(report.log_dir, ec);
    if (ec) {
        report.errors.push_back(fmt::format("mkdir({}): {}", report.log_dir, ec.message()));
        return report;
    }
    // What cannot run here is said before anything is built: a SKIP with
    // the reason, never a pass.
    std::vector<std::string> missing = missing_programs(topo);
    try {
        for (auto& e : check_kernel_features(topo, plan_network(topo))) missing.push_back(e);
    } catch (const std::exception& e) {
        report.errors.push_back(e.what());
    }
    if (!missing.empty() || !report.errors.empty()) {
        report.skipped = report.errors.empty();
        report.skip_reason = fmt::format("{}", fmt::join(missing, "; "));
        std::filesystem::remove_all(report.log_dir, ec);
        report.log_dir.clear();
        return report;
    }
    ScenarioRun run(topo, options, report);
    try {
        run.run();
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
    bool all_checks = true;
    for (const auto& c : report.checks) all_checks = all_checks && c.passed;
    report.passed = report.errors.empty() && all_checks;
    // The captures were asked for: their folder stays.
    if (report.passed && !options.keep_logs && !options.capture) {
        std::filesystem::remove_all(report.log_dir, ec);
        report.log_dir.clear();
    }
    return report;
}

std::string format_report(const RunReport& r, bool passed_checks) {
    std::string out;
    if (r.skipped) return fmt::format("SKIP {}: {}\n", r.name, r.skip_reason);
    for (const auto& e : r.errors) out += fmt::format("  error: {}\n", e);
    for (const auto& c : r.checks) {
        if (c.passed) {
            if (passed_checks)
                out += fmt::format("  ok    {} {} = {}\n", c.process, c.what, c.actual);
        } else {
            out += fmt::format("  FAIL  {} {}: expected {}, got {}\n", c.process, c.what,
                               c.expected, c.actual);
        }
    }
    size_t passed = 0;
    for (const auto& c : r.checks) passed += c.passed ? 1 : 0;
    const char* verdict = r.interrupted ? "STOPPED" : r.passed ? "PASS" : "FAIL";
    out += fmt::format(
        "{} {}: {}/{} expectations held (build {:.0f} ms, run {:.0f} ms, teardown {:.0f} ms)\n",
        verdict, r.name, passed, r.checks.size(), r.build_ms, r.run_ms, r.teardown_ms);
    if (!r.log_dir.empty()) out += fmt::format("  logs: {}\n", r.log_dir);
    if (!r.captures.empty()) out += fmt::format("  captures: {}\n", fmt::join(r.captures, " "));
    return out;
}

}  // namespace testbed
