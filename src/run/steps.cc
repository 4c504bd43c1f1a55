// ScenarioRun's steps: what each `run:` step does, through the Kernel and
// the Launcher only.

#include <fmt/core.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <set>
#include <thread>

#include "base/error.h"
#include "base/interrupt.h"
#include "base/log.h"
#include "model/template.h"
#include "plan/ruleset.h"
#include "run/live_topology.h"
#include "run/node_fs.h"
#include "run/ready.h"
#include "run/run_folder.h"
#include "run/scenario_run.h"

namespace testbed {
namespace {

using Clock = std::chrono::steady_clock;

/// True for an absolute path below the folders each node gets fresh.
bool hidden_in_nodes(const std::string& path) {
    return std::any_of(std::begin(kFreshFolders), std::end(kFreshFolders), [&](const char* folder) {
        return path.starts_with(std::string(folder) + "/");
    });
}

/// Polls `probe` until it returns true, the process dies, or the deadline
/// passes. Short waits on the process pace the loop: no fixed sleeps.
template <typename Probe>
bool poll_until(RunningProcess& process, Duration timeout, Probe&& probe) {
    const auto deadline = Clock::now() + timeout;
    while (true) {
        throw_if_interrupted();
        if (probe()) return true;
        if (Clock::now() >= deadline) return false;
        if (process.wait_for(std::chrono::milliseconds(2))) return probe();
    }
}

}  // namespace

bool ScenarioRun::run_step(const Step& step) {
    const auto t = Clock::now();
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
    const double ms = std::chrono::duration<double, std::milli>(Clock::now() - t).count();
    report_.steps.push_back({what, ms, ok});
    log::debug("step '{}' {} in {:.1f} ms", what, ok ? "done" : "failed", ms);
    return ok;
}

int ScenarioRun::ns_of(const std::string& node) const {
    const auto kind =
        topo_.find_host(node) ? NamespacePlan::Kind::host : NamespacePlan::Kind::router;
    return realizer_->ns_id(plan_.index_of(node, kind));
}

bool ScenarioRun::perform(const StartStep& s, std::string& what) {
    what = fmt::format("start {} on {}", s.name, s.node);
    LaunchSpec spec;
    spec.name = s.name;
    spec.node = s.node;
    spec.netns_fd = kernel_.netns_fd(ns_of(s.node));
    spec.mntns_fd = filesystem_of(s.node);
    spec.drop_capabilities = s.drop_capabilities;
    // ${run_dir} and addresses are known only now; the matrix filled in the rest.
    for (const auto& arg : s.argv)
        spec.argv.push_back(substitute(arg, run_values_, Escapes::resolve));
    for (const auto& [key, value] : s.env)
        spec.env[key] = substitute(value, run_values_, Escapes::resolve);
    spec.env["TESTBED_RUN_DIR"] = run_dir_;
    spec.env["TESTBED_RUN_ID"] = report_.run_id;
    spec.stdout_path = fmt::format("{}/{}.stdout", log_folder_.io(), s.name);
    spec.stderr_path = fmt::format("{}/{}.stderr", log_folder_.io(), s.name);
    if (s.output_limit) spec.output_limit = *s.output_limit;
    // Watched on every line as it streams: the ready pattern first, then
    // the expectations'.
    if (s.ready.kind == ReadySpec::Kind::stdout_regex ||
        s.ready.kind == ReadySpec::Kind::stderr_regex) {
        spec.watch.push_back({s.ready.regex, s.ready.kind == ReadySpec::Kind::stderr_regex});
    }
    for (const auto& e : topo_.expectations) {
        if (e.process != s.name) continue;
        auto& watches = expect_patterns_[s.name];
        for (const auto& p : e.output) {
            watches.push_back(spec.watch.size());
            spec.watch.push_back({p.regex, p.on_stderr});
        }
    }
    try {
        processes_[s.name] = launcher_.launch(spec);
    } catch (const Error& e) {
        report_.errors.push_back(e.what());
        return false;
    }
    return await_ready(*processes_[s.name], s);
}

void ScenarioRun::prepare_node_filesystems() {
    // Still visible below the fresh /tmp and /run: the log and run folders
    // (checked to be the very folder the testbed holds open), the folder of
    // every program a step names by its path, and every file or folder a
    // step names by its absolute path that exists on the machine below
    // /tmp or /run (`sh /tmp/x/check.sh`), alone.
    keep_ = {{report_.log_dir, log_folder_.fd.get()}};
    std::set<std::string> kept;
    const auto keep = [&](const std::string& path) {
        const bool inside_logs = path.starts_with(report_.log_dir + "/");
        if (!inside_logs && kept.insert(path).second) keep_.push_back({path});
    };
    for (const auto& step : topo_.steps) {
        const auto* start = std::get_if<StartStep>(&step.action);
        if (!start || start->argv.empty()) continue;
        if (start->argv[0].starts_with("/"))
            keep(std::filesystem::path(start->argv[0]).parent_path().string());
        for (const auto& raw : start->argv) {
            const std::string arg = substitute(raw, run_values_, Escapes::resolve);
            std::error_code ec;
            if (hidden_in_nodes(arg) && std::filesystem::exists(arg, ec)) keep(arg);
        }
    }
}

int ScenarioRun::filesystem_of(const std::string& node) {
    auto it = node_fs_.find(node);
    if (it != node_fs_.end()) return it->second.get();
    if (keep_.empty()) prepare_node_filesystems();
    // Each node its own copy of /etc/hosts: what one node writes there is
    // its own business. 0644: readable by a daemon that dropped root, as a
    // real /etc/hosts is.
    const std::string name = fmt::format("{}.hosts", node);
    write_new_file(fmt::format("{}/{}", log_folder_.io(), name), hosts_text(node_addresses(topo_)),
                   0644);
    Fd ns = launcher_.node_filesystem(fmt::format("{}/{}", report_.log_dir, name), keep_);
    const int fd = ns.get();
    node_fs_.emplace(node, std::move(ns));
    return fd;
}

bool ScenarioRun::await_ready(RunningProcess& process, const StartStep& s) {
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
            ready = poll_until(process, r.timeout, [&] { return process.port_bound(tcp, r.port); });
            break;
        }
        case ReadySpec::Kind::stdout_regex:
        case ReadySpec::Kind::stderr_regex: {
            condition =
                fmt::format("{} matching /{}/",
                            r.kind == ReadySpec::Kind::stderr_regex ? "stderr" : "stdout", r.regex);
            ready = poll_until(process, r.timeout, [&] { return process.watched(0); });
            break;
        }
    }
    if (ready) return true;
    report_.errors.push_back(fmt::format(
        "start '{}': not ready ({}) within {}{}", s.name, condition, format_duration(r.timeout),
        process.exited() ? "; it ended with " + process.status().str() : ""));
    return false;
}

bool ScenarioRun::perform(const WaitStep& w, std::string& what) {
    what = fmt::format("wait {}", fmt::join(w.names, ", "));
    const auto deadline = Clock::now() + w.timeout;
    std::vector<std::string> late;
    for (const auto& name : w.names) {
        RunningProcess& p = *processes_.at(name);
        while (!p.exited()) {
            throw_if_interrupted();
            const auto left = std::chrono::duration_cast<Duration>(deadline - Clock::now());
            if (left.count() <= 0) break;
            p.wait_for(left);
        }
        if (!p.exited()) late.push_back(name);
    }
    if (late.empty()) return true;
    report_.errors.push_back(fmt::format("wait: {} still running after {}", fmt::join(late, ", "),
                                         format_duration(w.timeout)));
    return false;
}

namespace {

/// Time passing on purpose (`sleep`, a `link` change that lasts); slices
/// of 50 ms notice a Ctrl-C.
void let_time_pass(Duration d) {
    const auto deadline = Clock::now() + d;
    while (Clock::now() < deadline) {
        throw_if_interrupted();
        std::this_thread::sleep_for(
            std::min<Clock::duration>(deadline - Clock::now(), std::chrono::milliseconds(50)));
    }
}

std::string lasting(const LinkStep& l) {
    return l.lasts ? " for " + format_duration(*l.lasts) : "";
}

}  // namespace

bool ScenarioRun::perform(const SleepStep& s, std::string& what) {
    what = fmt::format("sleep {}", format_duration(s.duration));
    let_time_pass(s.duration);
    return true;
}

bool ScenarioRun::perform(const LinkStep& l, std::string& what) {
    if (l.conditions) return change_link(l, what);
    what = fmt::format("link {} on {} network {}{}", l.up ? "up" : "down", l.node, l.network,
                       lasting(l));
    const int ns = ns_of(l.node);
    auto set = [&](bool up) {
        if (up)
            kernel_.set_link_up(ns, l.network);
        else
            kernel_.set_link_down(ns, l.network);
    };
    set(l.up);
    if (l.lasts) {
        let_time_pass(*l.lasts);
        set(!l.up);
    }
    return true;
}

bool ScenarioRun::change_link(const LinkStep& l, std::string& what) {
    const std::string scope = l.node.empty() ? fmt::format("network {}", l.network)
                                             : fmt::format("{} on network {}", l.node, l.network);
    const std::string to = l.conditions->empty() ? "no conditions" : l.conditions->describe();
    what = fmt::format("link {}: {}{}", scope, to, lasting(l));
    const LinkSpec before = live_->set_link(l.network, l.node, *l.conditions);
    if (l.lasts) {
        let_time_pass(*l.lasts);
        live_->set_link(l.network, l.node, before);
    }
    return true;
}

bool ScenarioRun::perform(const SetNatStep& s, std::string& what) {
    what = fmt::format("set-nat {} to {}", s.router,
                       s.nat.preset.empty() ? describe(s.nat.behaviour) : s.nat.preset);
    live_->set_nat(s.router, s.nat);
    const RulesetResult next =
        plan_router_rules(live_->topology(), *live_->topology().find_router(s.router));
    for (const auto& w : next.warnings) warn(w);
    const int ns = ns_of(s.router);
    // Timeouts the new behaviour does not set go back to this kernel's own.
    for (const auto& [key, value] : kernel_conntrack_sysctls()) {
        const bool set_anew = std::any_of(next.sysctls.begin(), next.sysctls.end(),
                                          [&k = key](const auto& kv) { return kv.first == k; });
        if (!set_anew) kernel_.set_sysctl(ns, key, value);
    }
    for (const auto& [key, value] : next.sysctls) kernel_.set_sysctl(ns, key, value);
    replace_rules(s.router, next.text);
    return true;
}

bool ScenarioRun::perform(const FlushStep& f, std::string& what) {
    what = fmt::format("flush {}", f.router);
    kernel_.flush_conntrack(ns_of(f.router));
    // Loading the rules anew empties the NAT engine's dynamic tables and
    // restarts its port counters.
    replace_rules(f.router, current_rules(f.router));
    return true;
}

bool ScenarioRun::perform(const RenumberStep& r, std::string& what) {
    what = fmt::format("renumber {} on network {} to {}", r.node, r.network, r.to.address->str());
    const Ipv4 before = live_->renumber(r.node, r.network, *r.to.address);
    what = fmt::format("renumber {} on network {}: {} to {}", r.node, r.network, before.str(),
                       r.to.address->str());
    renew_router_rules();
    // A NAT's mappings were on the address it lost: gone, as after an ISP
    // reassigned it (masquerade forgets them itself; a fixed SNAT would not).
    if (const Router* router = topo_.find_router(r.node);
        router && router->wan.network == r.network)
        kernel_.flush_conntrack(ns_of(r.node));
    fill_run_values();  // later steps' ${NODE.NETWORK} name the new address
    return true;
}

bool ScenarioRun::perform(const MoveStep& m, std::string& what) {
    what = fmt::format("move {} to network {}", m.host, m.to);
    const std::string from = live_->move(m.host, m.to);
    what = fmt::format("move {} from network {} to {}", m.host, from, m.to);
    return true;
}

void ScenarioRun::renew_router_rules() {
    // The running topology planned them with its change.
    for (const auto& ns : live_->plan().namespaces) {
        if (ns.kind == NamespacePlan::Kind::router && ns.ruleset != current_rules(ns.name))
            replace_rules(ns.name, ns.ruleset);
    }
}

const std::vector<Kernel::Sysctl>& ScenarioRun::kernel_conntrack_sysctls() {
    if (kernel_conntrack_sysctls_) return *kernel_conntrack_sysctls_;
    // A namespace of its own, never touched: what this kernel gives a fresh one.
    const int ns = kernel_.create_namespace("timeouts", {});
    std::vector<Kernel::Sysctl> values;
    try {
        for (const auto& key : conntrack_sysctl_keys())
            values.emplace_back(key, kernel_.read_sysctl(ns, key));
    } catch (...) {
        kernel_.destroy_namespace(ns);
        throw;
    }
    kernel_.destroy_namespace(ns);
    return kernel_conntrack_sysctls_.emplace(std::move(values));
}

const std::string& ScenarioRun::current_rules(const std::string& router) {
    auto it = rules_.find(router);
    if (it == rules_.end()) {
        const size_t index = plan_.index_of(router, NamespacePlan::Kind::router);
        it = rules_.emplace(router, plan_.namespaces[index].ruleset).first;
    }
    return it->second;
}

void ScenarioRun::replace_rules(const std::string& router, std::string next) {
    // The router's table swapped for `next` in one nftables transaction.
    const std::string& current = current_rules(router);
    std::string commands = current.empty() ? "" : fmt::format("delete table ip {}\n", kTableName);
    commands += next;
    if (!commands.empty()) kernel_.apply_ruleset(ns_of(router), commands);
    rules_[router] = std::move(next);
}

}  // namespace testbed
