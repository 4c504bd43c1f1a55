#include "run/scenario_run.h"

#include <fmt/core.h>

#include <algorithm>
#include <chrono>

#include "base/interrupt.h"
#include "base/log.h"
#include "check/expect.h"
#include "plan/port_mapping.h"
#include "plan/traffic.h"
#include "run/capture.h"
#include "run/live_topology.h"
#include "run/run_folder.h"
#include "run/traffic_watch.h"

namespace testbed {
namespace {

using Clock = std::chrono::steady_clock;

/// Arrows in a run's packet ladder; the pcap files have every frame.
constexpr size_t kLadderRows = 400;

double ms_since(Clock::time_point start) {
    return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

}  // namespace

ScenarioRun::ScenarioRun(const Topology& topo, const NetworkPlan& plan, const RunOptions& options,
                         Kernel& kernel, Launcher& launcher, const HeldFolder& log_folder,
                         RunReport& report)
    : topo_(topo),
      plan_(plan),
      options_(options),
      kernel_(kernel),
      launcher_(launcher),
      report_(report),
      log_folder_(log_folder) {}

ScenarioRun::~ScenarioRun() {
    teardown();
}

void ScenarioRun::build() {
    const auto t0 = Clock::now();
    for (const auto& w : plan_.warnings) warn(w);
    realizer_ = std::make_unique<Realizer>(kernel_, plan_);
    realizer_->build();
    kernel_.finish_build();
    built_ = true;
    live_ = std::make_unique<LiveTopology>(
        topo_, plan_, kernel_, [this](size_t index) { return realizer_->ns_id(index); });
    if (options_.capture) start_capture();
    if (!topo_.traffic.empty()) start_traffic_watch();
    report_.build_ms = ms_since(t0);
    log::debug("built {} namespaces in {:.1f} ms", plan_.namespaces.size(), report_.build_ms);
}

bool ScenarioRun::prepare_run_folder() {
    const auto t = Clock::now();
    const std::string what =
        fmt::format("write {} file(s) into the run folder", topo_.files.size());
    try {
        run_io_ = make_run_folder(log_folder_.io());
        run_dir_ = log_folder_.path + "/run";
        fill_run_values();
        write_run_files(run_io_, topo_.files, run_values_);
    } catch (const Error& e) {
        report_.errors.push_back(fmt::format("{}: {}", what, e.what()));
        report_.steps.push_back({what, ms_since(t), false});
        return false;
    }
    if (!topo_.files.empty()) report_.steps.push_back({what, ms_since(t), true});
    return true;
}

void ScenarioRun::fill_run_values() {
    run_values_ = address_variables(live_->topology());
    run_values_["run_dir"] = run_dir_;
}

bool ScenarioRun::start_gateways() {
    for (const auto& gateway : plan_gateways(topo_)) {
        try {
            write_run_files(run_io_, {FileSpec{gateway.config_path, gateway.config, 0600, {}}}, {});
        } catch (const Error& e) {
            report_.errors.push_back(
                fmt::format("write the gateway configuration of {}: {}", gateway.router, e.what()));
            return false;
        }
        if (!run_step(Step{gateway.start, {}})) return false;
    }
    return true;
}

void ScenarioRun::run_steps() {
    const auto t1 = Clock::now();
    if (!prepare_run_folder() || !start_gateways()) {
        report_.run_ms = ms_since(t1);
        return;
    }
    for (const auto& step : topo_.steps) {
        throw_if_interrupted();
        if (!run_step(step)) break;
    }
    report_.run_ms = ms_since(t1);
}

void ScenarioRun::finish() {
    for (auto& [name, process] : processes_) process->stop(options_.stop_grace);
    if (capture_) finish_capture();
    for (const auto& e : topo_.expectations) {
        ProcessOutcome outcome;
        auto it = processes_.find(e.process);
        if (it != processes_.end()) {
            const ProcessOutput out = it->second->output();
            outcome.started = true;
            outcome.status = it->second->status();
            outcome.last_json = out.last_json;
            outcome.stdout_tail = out.tail;
            outcome.stderr_tail = out.err_tail;
            outcome.stdout_note = out.note;
            if (auto p = expect_patterns_.find(e.process); p != expect_patterns_.end()) {
                for (const size_t w : p->second) {
                    outcome.matched.push_back(out.matched.at(w));
                    outcome.first_matches.push_back(out.first_matches.at(w));
                }
            }
        }
        for (auto& c : check_expectation(e, outcome)) report_.checks.push_back(std::move(c));
    }
    if (!topo_.traffic.empty()) check_traffic_verdicts();
}

void ScenarioRun::teardown() {
    const auto t = Clock::now();
    processes_.clear();
    node_fs_.clear();  // after the programs: their filesystems go with the last holder
    capture_.reset();
    traffic_watch_.reset();
    if (realizer_) realizer_->teardown();
    report_.teardown_ms += ms_since(t);
}

void ScenarioRun::warn(const std::string& warning) {
    log::warning("{}", warning);
    report_.warnings.push_back(warning);
}

std::vector<int> ScenarioRun::netns_fds() const {
    std::vector<int> fds;
    fds.reserve(plan_.namespaces.size());
    for (size_t i = 0; i < plan_.namespaces.size(); ++i)
        fds.push_back(kernel_.netns_fd(realizer_->ns_id(i)));
    return fds;
}

void ScenarioRun::start_capture() {
    capture_ = std::make_unique<Capture>(plan_taps(plan_), netns_fds(), log_folder_,
                                         options_.capture_limit);
}

void ScenarioRun::start_traffic_watch() {
    const std::vector<int> fds = netns_fds();
    // A kernel without namespace descriptors (a fake) has nothing to tap:
    // the verdicts then rest on the counters alone.
    if (std::any_of(fds.begin(), fds.end(), [](int fd) { return fd < 0; })) return;
    traffic_watch_ = std::make_unique<TrafficWatch>(topo_, plan_, fds);
}

void ScenarioRun::check_traffic_verdicts() {
    TrafficSeen seen;
    if (traffic_watch_) seen = traffic_watch_->stop();
    const std::string unmeasured =
        built_ ? read_traffic_counters(seen) : std::string("the network was not built");
    for (const auto& t : topo_.traffic) {
        report_.checks.push_back(unmeasured.empty() ? check_traffic(t, seen)
                                                    : traffic_not_measured(t, unmeasured));
    }
}

std::string ScenarioRun::read_traffic_counters(TrafficSeen& seen) {
    const std::string table = fmt::format("netdev {}", kTrafficTable);
    for (size_t ns = 0; ns < plan_.namespaces.size(); ++ns) {
        if (plan_.namespaces[ns].traffic_table.empty()) continue;
        std::map<std::string, uint64_t> counters;
        try {
            counters = kernel_.read_counters(realizer_->ns_id(ns), table);
        } catch (const Error& e) {
            return fmt::format("reading the traffic counters in {} failed: {}",
                               plan_.namespaces[ns].name, e.what());
        }
        for (const auto& [name, packets] : counters) {
            const auto numbers = parse_traffic_counter(name);
            const Host* receiver = numbers ? traffic_host(topo_, numbers->first) : nullptr;
            const Host* sender = numbers ? traffic_host(topo_, numbers->second) : nullptr;
            // A host with links ending in two namespaces counts in both.
            if (receiver && sender) seen.counts[{receiver->name, sender->name}] += packets;
        }
    }
    return "";
}

void ScenarioRun::finish_capture() {
    std::vector<Sighting> frames = capture_->stop();
    for (const auto& note : capture_->notes()) warn(note);
    report_.captures = capture_->files();
    std::vector<std::string> nodes;
    for (const auto& ns : plan_.namespaces) {
        if (ns.kind != NamespacePlan::Kind::bridge) nodes.push_back(ns.name);
    }
    report_.ladder = build_ladder(std::move(frames), nodes, kLadderRows);
}

}  // namespace testbed
