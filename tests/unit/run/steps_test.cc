// The run-time steps (start with readiness, wait, sleep, link, set-nat,
// flush, renumber, move) and the expectations, on the fake kernel and fake processes: no
// root, no namespaces, every kernel call checked.

#include <doctest/doctest.h>
#include <fmt/ranges.h>
#include <stdlib.h>

#include <chrono>
#include <filesystem>

#include "base/file.h"
#include "run/scenario_run.h"
#include "support/fake_kernel.h"
#include "support/fake_launcher.h"
#include "support/helpers.h"

using namespace testbed;
using testing::contains;

namespace {

const char* kSteps = R"(
networks: { internet: 203.0.113.0/24, home: 10.0.1.0/24 }
hosts: { server: { internet: 203.0.113.1 }, alice: { home: auto } }
routers:
  nat:
    wan: { internet: 203.0.113.10 }
    lan: { home: auto }
    nat: { mapping: endpoint-independent, filtering: address-and-port-dependent, udp-timeout: 5s }
run:
  - start: srv
    on: server
    cmd: [rendezvous]
    ready: { udp: 3478 }
  - link: down
    on: alice
    network: home
  - link: up
    on: alice
    network: home
  - set-nat: nat
    to: symmetric
  - flush: nat
  - sleep: 30ms
  - start: probe
    on: alice
    cmd: [peer, probe]
    ready: { stdout: 'mapped' }
  - wait: probe
    timeout: 1s
expect:
  probe: { exit: 3, json: { result: ok } }
)";

/// A scenario on the fakes, with a log folder of its own.
struct Harness {
    testing::FakeKernel kernel;
    testing::FakeLauncher launcher;
    RunOptions options;
    RunReport report;
    HeldFolder log_folder;
    Topology topo;
    NetworkPlan plan;

    explicit Harness(const std::string& yaml) {
        topo = testing::valid_topology(yaml);
        plan = plan_network(topo);
        log_folder =
            make_unique_folder(std::filesystem::temp_directory_path().string(), "steps-test");
        report.log_dir = log_folder.path;
        options.stop_grace = std::chrono::milliseconds(1);
        launcher.scripts["srv"] = {0, -1, "listening\n", {3478}, 3, ""};
        launcher.scripts["probe"] = {3, 2, "mapped\n{\"result\":\"ok\"}\n", {}, 0, ""};
    }
    ~Harness() { std::filesystem::remove_all(report.log_dir); }

    void run() {
        ScenarioRun run(topo, plan, options, kernel, launcher, log_folder, report);
        run.build();
        run.run_steps();
        run.finish();
        run.teardown();
    }

    /// Index of the first call equal to `call` at or after `from`, or -1.
    long at(const std::string& call, long from = 0) const {
        for (size_t i = static_cast<size_t>(from); i < kernel.calls.size(); ++i) {
            if (kernel.calls[i] == call) return static_cast<long>(i);
        }
        return -1;
    }
};

}  // namespace

TEST_CASE("steps: link down and up change the node's interface on that network") {
    Harness h(kSteps);
    h.run();
    INFO(fmt::format("{}", fmt::join(h.report.errors, "; ")));
    CHECK(h.report.errors.empty());
    const long down = h.at("down alice:home");
    const long up_again = h.at("up alice:home", down);
    REQUIRE(down >= 0);
    CHECK(up_again > down);
    CHECK(down > h.at("nft nat"));  // after the network was built
}

TEST_CASE("steps: set-nat swaps the table and restores the kernel's own timeouts") {
    Harness h(kSteps);
    h.kernel.sysctl_values["net/netfilter/nf_conntrack_udp_timeout"] = "31";
    h.run();
    // The defaults come from a fresh namespace, read once and released.
    REQUIRE(h.at("netns timeouts") >= 0);
    CHECK(h.at("read timeouts net/netfilter/nf_conntrack_udp_timeout") > h.at("netns timeouts"));
    CHECK(h.at("destroy timeouts") > h.at("netns timeouts"));
    // The behaviour set udp-timeout 5s; symmetric sets none: back to the kernel's 31.
    CHECK(h.at("sysctl nat net/netfilter/nf_conntrack_udp_timeout=5") >= 0);
    CHECK(h.at("sysctl nat net/netfilter/nf_conntrack_udp_timeout=31") > h.at("down alice:home"));
    REQUIRE(h.kernel.rulesets.size() == 3);  // built, set-nat, flush
    CHECK(h.kernel.rulesets[1].rfind("delete table ip testbed\n", 0) == 0);
    CHECK(contains(h.kernel.rulesets[1], "masquerade random"));
    CHECK_FALSE(contains(h.kernel.rulesets[0], "masquerade random"));
}

TEST_CASE("steps: flush forgets conntrack and loads the current rules anew") {
    Harness h(kSteps);
    h.run();
    const long flush = h.at("flush nat");
    REQUIRE(flush >= 0);
    CHECK(h.kernel.calls.at(static_cast<size_t>(flush) + 1) == "nft nat");
    // The current rules are set-nat's (symmetric), not the ones built first.
    REQUIRE(h.kernel.rulesets.size() == 3);
    const std::string symmetric = h.kernel.rulesets[1].substr(h.kernel.rulesets[1].find('\n') + 1);
    CHECK(h.kernel.rulesets[2] == "delete table ip testbed\n" + symmetric);
}

TEST_CASE("steps: renumber gives a NAT a new public address, its rules and no old mappings") {
    Harness h(R"(
networks: { internet: 203.0.113.0/24, home: 10.0.1.0/24 }
hosts: { server: { internet: 203.0.113.1 }, alice: { home: auto } }
routers:
  nat: { wan: { internet: 203.0.113.10 }, lan: { home: auto }, nat: full-cone }
run:
  - set-nat: nat
    to: { mapping: endpoint-independent, filtering: endpoint-independent, hairpin: true }
  - renumber: nat
    network: internet
  - renumber: alice
    to: 10.0.1.77
  - start: probe
    on: alice
    cmd: [peer, "${nat.wan}", "${alice.home}"]
expect:
  probe: { exit: 3 }
)");
    h.run();
    INFO(fmt::format("{}", fmt::join(h.report.errors, "; ")));
    CHECK(h.report.errors.empty());
    // The first free address of the internet after the file's: .2 (server .1, nat .10).
    const long swap = h.at("unaddr nat:internet 203.0.113.10/24");
    REQUIRE(swap >= 0);
    CHECK(h.at("addr nat:internet 203.0.113.2/24", swap) == swap + 1);
    // Its rules follow the address, with set-nat's behaviour kept; then its mappings go.
    REQUIRE(h.kernel.rulesets.size() == 3);                            // built, set-nat, renumber
    CHECK(contains(h.kernel.rulesets[1], "snat ip to 203.0.113.10"));  // hairpin
    CHECK(contains(h.kernel.rulesets[2], "snat ip to 203.0.113.2"));
    CHECK_FALSE(contains(h.kernel.rulesets[2], "203.0.113.10"));
    CHECK(h.at("flush nat", swap) > h.at("nft nat", swap));
    // alice's new address, and the later step's variables name both new addresses.
    CHECK(h.at("addr alice:home 10.0.1.77/24") > swap);
    CHECK(h.at("reroute alice 0.0.0.0/0 via 10.0.1.1 dev home") > swap);
    REQUIRE(h.launcher.launched.size() == 1);
    CHECK(h.launcher.launched[0].argv ==
          std::vector<std::string>{"peer", "203.0.113.2", "10.0.1.77"});
    CHECK(contains(h.report.steps.at(1).what,
                   "renumber nat on network internet: 203.0.113.10 to 203.0.113.2"));
}

TEST_CASE("steps: move takes a host from one network's router to another's") {
    Harness h(R"(
networks: { internet: 203.0.113.0/24, wifi: 10.0.1.0/24, cell: 100.64.0.0/24 }
hosts: { server: { internet: 203.0.113.1 }, phone: { wifi: auto, cell: auto } }
routers:
  home: { wan: { internet: 203.0.113.10 }, lan: { wifi: auto }, nat: full-cone }
  carrier: { wan: { internet: 203.0.113.20 }, lan: { cell: auto }, nat: cgnat }
run:
  - move: phone
    to: cell
)");
    h.run();
    INFO(fmt::format("{}", fmt::join(h.report.errors, "; ")));
    CHECK(h.report.errors.empty());
    // Built with the default route through the Wi-Fi, the first of its networks.
    CHECK(h.at("route phone 0.0.0.0/0 via 10.0.1.1 dev wifi") >= 0);
    const long down = h.at("down phone:wifi");
    REQUIRE(down >= 0);
    CHECK(h.at("up phone:cell", down) == down + 1);
    CHECK(h.at("reroute phone 0.0.0.0/0 via 100.64.0.1 dev cell", down) > down);
    CHECK(h.report.steps.at(0).what == "move phone from network wifi to cell");
}

TEST_CASE("steps: sleep lets the time pass, every step is timed") {
    Harness h(kSteps);
    h.run();
    REQUIRE(h.report.steps.size() == 8);
    CHECK(h.report.steps[5].what == "sleep 30ms");
    CHECK(h.report.steps[5].ms >= 30.0);
    for (const auto& s : h.report.steps) CHECK(s.ok);
}

TEST_CASE("steps: ready waits for the port and for stdout, expectations read the outcome") {
    Harness h(kSteps);
    h.run();
    REQUIRE(h.launcher.launched.size() == 2);
    CHECK(h.launcher.launched[0].argv == std::vector<std::string>{"rendezvous"});
    // Through the log folder's descriptor, never its path again.
    CHECK(h.launcher.launched[0].stdout_path == h.log_folder.io() + "/srv.stdout");
    REQUIRE(h.report.checks.size() == 2);
    CHECK(h.report.checks[0].what == "exit");
    CHECK(h.report.checks[0].actual == "exit 3");
    CHECK(h.report.checks[0].passed);
    CHECK(h.report.checks[1].passed);
}

TEST_CASE("steps: a ready condition that never comes fails the start, and the run stops there") {
    Harness h(kSteps);
    h.launcher.scripts["probe"] = {0, 0, "nothing to see\n", {}, 0, ""};
    h.run();
    REQUIRE(h.report.errors.size() == 1);
    CHECK(contains(h.report.errors[0], "start 'probe': not ready (stdout matching /mapped/)"));
    CHECK(contains(h.report.errors[0], "it ended with exit 0"));
    CHECK(h.report.steps.back().what == "start probe on alice");
    CHECK_FALSE(h.report.steps.back().ok);
}

TEST_CASE("steps: wait gives up at its timeout and names who is still running") {
    Harness h(kSteps);
    h.launcher.scripts["probe"] = {0, -1, "mapped\n", {}, 0, ""};
    h.run();
    REQUIRE(h.report.errors.size() == 1);
    CHECK(h.report.errors[0] == "wait: probe still running after 1s");
    // finish() stopped it: the exit expectation sees the signal.
    CHECK(h.report.checks[0].actual == "killed by SIGTERM");
    CHECK_FALSE(h.report.checks[0].passed);
}

TEST_CASE("steps: a kernel call that fails is the step's error, and the run stops there") {
    Harness h(kSteps);
    h.kernel.fail_on = "flush nat";
    h.run();
    REQUIRE(h.report.errors.size() == 1);
    CHECK(h.report.errors[0] == "flush nat: flush nat: Injected failure");
    CHECK(h.report.steps.back().what == "flush nat");
    CHECK_FALSE(h.report.steps.back().ok);
    CHECK(h.launcher.launched.size() == 1);  // probe never started
    CHECK(h.kernel.alive.empty());           // torn down all the same
}

TEST_CASE("steps: ready on stderr, and expectations on stderr and on what a stream lacks") {
    std::string yaml = kSteps;
    yaml.replace(yaml.find("ready: { stdout: 'mapped' }"), 27, "ready: { stderr: 'up' }");
    yaml.replace(
        yaml.find("probe: { exit: 3, json: { result: ok } }"), 40,
        "probe: { exit: 3, stderr: 'tunnel up', stderr-lacks: 'fatal', stdout-lacks: mapped }");
    Harness h(yaml);
    h.launcher.scripts["probe"] = {3, 2, "mapped\n", {}, 0, "tunnel up\n"};
    h.run();
    CHECK(h.report.errors.empty());
    REQUIRE(h.report.checks.size() == 4);
    CHECK(h.report.checks[1].what == "stderr");
    CHECK(h.report.checks[1].passed);
    CHECK(h.report.checks[2].what == "stderr-lacks");
    CHECK(h.report.checks[2].passed);
    CHECK(h.report.checks[3].what == "stdout-lacks");
    CHECK_FALSE(h.report.checks[3].passed);
    CHECK(h.report.checks[3].actual == "a line matched: 'mapped'");
}

TEST_CASE("steps: a run folder of its own, files written before any step, ${...} filled in") {
    std::string yaml = kSteps;
    yaml.replace(yaml.find("    cmd: [peer, probe]"), 22,
                 "    cmd: [peer, probe, --server, '${server.internet}', --conf, "
                 "'${run_dir}/conf/peer.ini']\n    env: { NAT: '${nat.wan}' }");
    yaml +=
        "files:\n  conf/peer.ini: \"server=${server.internet}\\nhome=${alice.home}\\n\"\n"
        "  go.sh: { content: \"#!/bin/sh\\n\", mode: \"0750\" }\n";
    Harness h(yaml);
    h.run();
    CHECK(h.report.errors.empty());
    CHECK(h.report.steps.front().what == "write 2 file(s) into the run folder");
    const std::string run_dir = h.report.log_dir + "/run";
    std::string why;
    CHECK(read_regular_file(run_dir + "/conf/peer.ini", 4096, &why) ==
          "server=203.0.113.1\nhome=10.0.1.2\n");
    CHECK((std::filesystem::status(run_dir + "/go.sh").permissions() &
           std::filesystem::perms::all) == std::filesystem::perms(0750));
    CHECK((std::filesystem::status(run_dir).permissions() & std::filesystem::perms::all) ==
          std::filesystem::perms(0700));
    const LaunchSpec* probe = nullptr;
    for (const auto& spec : h.launcher.launched)
        if (spec.name == "probe") probe = &spec;
    REQUIRE(probe);
    CHECK(probe->argv == std::vector<std::string>{"peer", "probe", "--server", "203.0.113.1",
                                                  "--conf", run_dir + "/conf/peer.ini"});
    CHECK(probe->env.at("NAT") == "203.0.113.10");
    CHECK(probe->env.at("TESTBED_RUN_DIR") == run_dir);
    CHECK(probe->env.at("TESTBED_RUN_ID") == h.report.run_id);
    // Each node that runs a program gets its own filesystem, whose /etc/hosts names every node.
    REQUIRE(h.launcher.node_hosts.size() == 2);  // server and alice
    CHECK(h.launcher.node_hosts[0] ==
          "127.0.0.1\tlocalhost\n203.0.113.1\tserver\n10.0.1.2\talice\n203.0.113.10\tnat\n");
    // Its own copy: what one node writes to its /etc/hosts no other sees.
    CHECK(std::filesystem::is_regular_file(h.report.log_dir + "/server.hosts"));
    CHECK(std::filesystem::is_regular_file(h.report.log_dir + "/alice.hosts"));
    // The log folder stays visible in the node, as the folder held open.
    REQUIRE_FALSE(h.launcher.kept.empty());
    CHECK(h.launcher.kept[0].path == h.report.log_dir);
    CHECK(h.launcher.kept[0].held == h.log_folder.fd.get());
}

TEST_CASE("steps: a log folder renamed away and replaced by a link is still where files go") {
    // The attack of a user who could rename entries of the log root: after
    // mkdtemp, the run's folder is swapped for a link to a folder of theirs,
    // whose bin/step.sh a step would then run as root.
    std::string yaml = kSteps;
    yaml += "files:\n  bin/step.sh: { content: \"#!/bin/sh\\n\", mode: \"0750\" }\n";
    Harness h(yaml);
    const std::string moved = h.report.log_dir + "-moved";
    const std::string theirs = h.report.log_dir + "-theirs";
    std::filesystem::rename(h.report.log_dir, moved);
    std::filesystem::create_directory(theirs);
    std::filesystem::create_directory_symlink(theirs, h.report.log_dir);
    h.run();
    CHECK(std::filesystem::is_regular_file(moved + "/run/bin/step.sh"));
    CHECK(std::filesystem::is_regular_file(moved + "/srv.stdout"));
    CHECK(std::filesystem::is_empty(theirs));
    std::filesystem::remove(h.report.log_dir);
    std::filesystem::remove_all(theirs);
    std::filesystem::rename(moved, h.report.log_dir);
}
