#pragma once
// A Launcher whose processes are scripted: each exits when told (at once,
// after some waits, or never until stopped), with an exit code, having
// "printed" a stdout text into the log file the runner gave it, and
// "bound" ports after some looks. The runner's steps are tested with it
// without root or real programs.

#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "base/error.h"
#include "base/file.h"
#include "run/launcher.h"

namespace testbed::testing {

/// How a scripted process behaves.
struct Script {
    int exit_code = 0;
    int exits_after_waits = 0;  ///< wait_for calls before it exits; -1: runs until stopped
    std::string stdout_text;    ///< written to its stdout file when it starts
    std::set<int> ports;        ///< ports it has bound...
    int ports_after_looks = 0;  ///< ...once port_bound was asked this often
    std::string stderr_text;    ///< written to its stderr file when it starts
};

class FakeProcess : public RunningProcess {
    static std::vector<Regex> patterns(const LaunchSpec& spec, bool on_stderr) {
        std::vector<Regex> out;
        for (const auto& w : spec.watch)
            if (w.on_stderr == on_stderr) out.push_back(*Regex::compile(w.regex));
        return out;
    }

  public:
    FakeProcess(LaunchSpec spec, Script script)
        : spec_(std::move(spec)),
          script_(script),
          scans_{OutputScan(patterns(spec_, false)), OutputScan(patterns(spec_, true))} {
        std::ofstream(spec_.stdout_path) << script_.stdout_text;
        std::ofstream(spec_.stderr_path) << script_.stderr_text;
        // What the pump would have seen: all of it, at once.
        scans_[0].feed(script_.stdout_text);
        scans_[1].feed(script_.stderr_text);
        for (auto& scan : scans_) scan.finish();
        size_t next[2] = {0, 0};
        for (const auto& w : spec_.watch) where_.emplace_back(w.on_stderr, next[w.on_stderr]++);
    }
    const LaunchSpec& spec() const override { return spec_; }
    int pid() const override { return 4242; }
    bool wait_for(Duration) override {
        if (exited_) return true;
        if (script_.exits_after_waits >= 0 && waits_++ >= script_.exits_after_waits) {
            exited_ = true;
            status_.code = script_.exit_code;
        }
        return exited_;
    }
    void stop(Duration) override {
        if (exited_) return;
        exited_ = true;
        status_.signal = 15;
        stopped = true;
    }
    bool exited() const override { return exited_; }
    ExitStatus status() const override { return status_; }
    bool port_bound(bool, int port) const override {
        return looks_++ >= script_.ports_after_looks && script_.ports.count(port) > 0;
    }
    bool watched(size_t i) const override {
        return scans_[where_.at(i).first].matched(where_.at(i).second);
    }
    ProcessOutput output() override {
        ProcessOutput o;
        for (const auto& [stream, k] : where_) {
            o.matched.push_back(scans_[stream].matched(k));
            o.first_matches.push_back(scans_[stream].first_match(k));
        }
        o.last_json = scans_[0].last_json();
        o.tail = scans_[0].tail();
        o.err_tail = scans_[1].tail();
        return o;
    }
    bool stopped = false;

  private:
    LaunchSpec spec_;
    Script script_;
    bool exited_ = false;
    OutputScan scans_[2];                           ///< stdout, stderr
    std::vector<std::pair<size_t, size_t>> where_;  ///< per watch: (stream, index)
    int waits_ = 0;
    mutable int looks_ = 0;
    ExitStatus status_;
};

class FakeLauncher : public Launcher {
  public:
    std::map<std::string, Script> scripts;  ///< by process name; unknown ones exit 0 at once
    std::set<std::string> missing;          ///< programs can_find denies
    std::vector<LaunchSpec> launched;

    std::unique_ptr<RunningProcess> launch(const LaunchSpec& spec) override {
        if (missing.count(spec.argv.at(0)))
            throw Error("start '" + spec.name + "': program '" + spec.argv[0] + "' not found");
        launched.push_back(spec);
        auto it = scripts.find(spec.name);
        return std::make_unique<FakeProcess>(spec, it == scripts.end() ? Script{} : it->second);
    }
    bool can_find(const std::string& program) const override { return !missing.count(program); }
    /// No mount namespace here: the hosts file each node would see, recorded.
    Fd node_filesystem(const std::string& hosts_file,
                       const std::vector<VisiblePath>& keep) override {
        kept = keep;
        std::string why;
        node_hosts.push_back(read_regular_file(hosts_file, 1 << 20, &why).value_or(why));
        return Fd();
    }
    std::vector<std::string> node_hosts;
    std::vector<VisiblePath> kept;  ///< the folders the last node_filesystem kept
};

}  // namespace testbed::testing
