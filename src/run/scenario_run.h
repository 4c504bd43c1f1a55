#pragma once
/// One scenario on a built network: builds it through a Kernel, runs the
/// steps (start, wait, sleep, link, set-nat, flush, renumber, move) with
/// processes from a Launcher, then stops every process, checks the
/// expectations and tears everything down. Both sides are interfaces, so every step is unit-tested
/// with fakes (tests/unit/run/steps_test.cc) and runs for real with
/// LinuxKernel and ProcessLauncher.

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/safe_file.h"
#include "check/result.h"
#include "kernel/kernel.h"
#include "kernel/realizer.h"
#include "model/topology.h"
#include "plan/plan.h"
#include "run/launcher.h"
#include "run/scenario.h"

namespace testbed {

class Capture;
class TrafficWatch;
class LiveTopology;
struct TrafficSeen;

class ScenarioRun {
  public:
    /// `plan` is plan_network(topo); `log_folder` is the run's new log
    /// folder (process logs, captures, the run folder go there, through its
    /// descriptor only). Nothing happens until build().
    ScenarioRun(const Topology& topo, const NetworkPlan& plan, const RunOptions& options,
                Kernel& kernel, Launcher& launcher, const HeldFolder& log_folder,
                RunReport& report);
    ~ScenarioRun();
    ScenarioRun(const ScenarioRun&) = delete;
    ScenarioRun& operator=(const ScenarioRun&) = delete;

    /// Builds the network (and starts the capture when asked).
    void build();
    /// Runs the steps in order until one fails; failures are in the report.
    void run_steps();
    /// Stops what still runs, collects outcomes, checks expectations.
    void finish();
    /// Removes every process and namespace. Safe to call twice.
    void teardown();

  private:
    /// The run's own folder and its `files:`, before any step (a failure
    /// stops the run there, as a failed step does).
    bool prepare_run_folder();
    /// ${run_dir} and the address variables of the topology as the steps
    /// so far made it.
    void fill_run_values();
    /// The gateway daemon of every port-mapping router, configured in the
    /// run folder, started and ready before the first step.
    bool start_gateways();
    bool run_step(const Step& step);
    bool perform(const StartStep& s, std::string& what);
    bool perform(const WaitStep& w, std::string& what);
    bool perform(const SleepStep& s, std::string& what);
    bool perform(const LinkStep& l, std::string& what);
    /// A `link` step with conditions: the network's or attachment's anew.
    bool change_link(const LinkStep& l, std::string& what);
    bool perform(const SetNatStep& s, std::string& what);
    bool perform(const FlushStep& f, std::string& what);
    bool perform(const RenumberStep& r, std::string& what);
    bool perform(const MoveStep& m, std::string& what);
    /// Every router's ruleset as the running topology plans it now, where
    /// it differs from what the router has.
    void renew_router_rules();

    bool await_ready(RunningProcess& process, const StartStep& s);
    /// The node's own filesystem (made at its first start), for setns.
    int filesystem_of(const std::string& node);
    /// The folders every node's filesystem keeps visible, once per run.
    void prepare_node_filesystems();
    int ns_of(const std::string& node) const;
    const std::string& current_rules(const std::string& router);
    void replace_rules(const std::string& router, std::string next);
    /// The conntrack timeouts of a fresh namespace of this kernel (read once).
    const std::vector<Kernel::Sysctl>& kernel_conntrack_sysctls();
    void warn(const std::string& warning);
    /// The descriptor of each namespace of the plan, in its order.
    std::vector<int> netns_fds() const;
    void start_capture();
    void finish_capture();
    /// `traffic:`: the taps from the build on, the counters and verdicts at the end.
    void start_traffic_watch();
    void check_traffic_verdicts();
    /// The counters of every counted host into `seen`; why not, or "".
    std::string read_traffic_counters(TrafficSeen& seen);

    const Topology& topo_;
    const NetworkPlan& plan_;
    const RunOptions& options_;
    Kernel& kernel_;
    Launcher& launcher_;
    RunReport& report_;
    /// The log folder as people see it, and as the testbed reaches it.
    const HeldFolder& log_folder_;
    std::unique_ptr<Realizer> realizer_;
    bool built_ = false;  ///< every namespace of the plan exists
    std::map<std::string, std::unique_ptr<RunningProcess>> processes_;
    /// Process -> the watch of each of its expectation's output patterns.
    std::map<std::string, std::vector<size_t>> expect_patterns_;
    std::map<std::string, std::string> rules_;  ///< routers' rulesets changed by steps
    std::optional<std::vector<Kernel::Sysctl>> kernel_conntrack_sysctls_;
    std::unique_ptr<Capture> capture_;
    std::unique_ptr<TrafficWatch> traffic_watch_;
    std::unique_ptr<LiveTopology> live_;  ///< the topology as the steps change it
    std::string run_dir_;                 ///< ${run_dir}: its path as programs see it
    std::string run_io_;                  ///< the same folder through the log folder's descriptor
    /// Folders visible below every node's /tmp and /run (the log folder
    /// bound from its descriptor).
    std::vector<VisiblePath> keep_;
    std::map<std::string, Fd> node_fs_;  ///< node -> its mount namespace
    /// ${run_dir} and the address variables, for commands, env and files.
    std::map<std::string, std::string> run_values_;
};

}  // namespace testbed
