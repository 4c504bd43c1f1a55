// run_scenario on the fakes: what makes a scenario a SKIP (a missing
// program, a ruleset the kernel refuses), its log folder, and the kernel
// feature check asked once per ruleset.

#include "run/scenario.h"

#include <doctest/doctest.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <stdexcept>

#include "run/preflight.h"
#include "support/fake_kernel.h"
#include "support/fake_launcher.h"
#include "support/helpers.h"

using namespace testbed;
using testing::contains;

namespace {

const char* kProbe = R"(
networks: { internet: 203.0.113.0/24, home: 10.0.1.0/24 }
hosts: { server: { internet: 203.0.113.1 }, alice: { home: auto } }
routers: { nat: { wan: { internet: 203.0.113.10 }, lan: { home: auto }, nat: symmetric } }
run:
  - start: probe
    on: alice
    cmd: [peer, probe]
  - wait: probe
    timeout: 1s
expect:
  probe: { exit: 0 }
)";

/// A folder of this test binary's own under the temp folder, removed when
/// the binary ends: the failing runs here keep their log folders, as real
/// ones do, and must not leave them in /tmp.
class LogRoot {
  public:
    LogRoot() {
        std::string pattern = (std::filesystem::temp_directory_path() / "scenario-test-XXXXXX");
        if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
        path_ = pattern;
    }
    ~LogRoot() {
        std::error_code ignored;
        std::filesystem::remove_all(path_, ignored);
    }
    LogRoot(const LogRoot&) = delete;
    LogRoot& operator=(const LogRoot&) = delete;
    const std::string& path() const { return path_; }

  private:
    std::string path_;
};

RunOptions in_temp() {
    static const LogRoot root;
    RunOptions o;
    o.log_root = root.path();
    o.stop_grace = std::chrono::milliseconds(1);
    return o;
}

}  // namespace

TEST_CASE("scenario: a passing run removes its log folder and builds each namespace once") {
    forget_kernel_features();
    testing::FakeKernel kernel;
    testing::FakeLauncher launcher;
    const RunReport r = run_scenario(testing::valid_topology(kProbe), in_temp(), kernel, launcher);
    INFO(fmt::format("{}", fmt::join(r.errors, "; ")));
    CHECK(r.passed);
    CHECK(r.log_dir.empty());
    CHECK(kernel.alive.empty());
    CHECK(std::count(kernel.calls.begin(), kernel.calls.end(), "netns alice") == 1);
}

TEST_CASE("scenario: a program that is not installed is a SKIP, before anything is built") {
    forget_kernel_features();
    testing::FakeKernel kernel;
    testing::FakeLauncher launcher;
    launcher.missing.insert("peer");
    const RunReport r = run_scenario(testing::valid_topology(kProbe), in_temp(), kernel, launcher);
    CHECK(r.skipped);
    CHECK_FALSE(r.passed);
    CHECK(r.skip_reason == "program 'peer' (step 'probe') is not installed");
    CHECK_FALSE(kernel.called("netns alice"));
    CHECK(r.log_dir.empty());
}

TEST_CASE("scenario: rules the kernel refuses are a SKIP naming the router and the options") {
    forget_kernel_features();
    testing::FakeKernel kernel;
    kernel.refuse = "masquerade";
    testing::FakeLauncher launcher;
    const RunReport r = run_scenario(testing::valid_topology(kProbe), in_temp(), kernel, launcher);
    CHECK(r.skipped);
    CHECK(contains(r.skip_reason, "router 'nat': this kernel cannot load its NAT rules"));
    CHECK(contains(r.skip_reason, "masquerade (CONFIG_NFT_MASQ)"));
    CHECK_FALSE(kernel.called("netns alice"));
    CHECK(kernel.alive.empty());  // the throwaway namespace went too
}

TEST_CASE("preflight: each distinct ruleset is checked once per process, in one namespace") {
    forget_kernel_features();
    testing::FakeKernel kernel;
    const Topology topo = testing::valid_topology(kProbe);
    const size_t before = kernel_feature_checks();
    prime_kernel_features({&topo, &topo}, kernel);
    CHECK(kernel_feature_checks() == before + 1);
    CHECK(kernel.called("netns feature-check"));
    testing::FakeKernel later;
    CHECK(check_kernel_features(topo, later).empty());
    CHECK(kernel_feature_checks() == before + 1);
    CHECK(later.calls.empty());  // known: no namespace made at all
}

namespace {

/// kProbe with a `via: none` traffic check, run on `kernel`; the check's result.
CheckResult none_check_on(testing::FakeKernel& kernel, RunReport& r) {
    forget_kernel_features();
    testing::FakeLauncher launcher;
    const std::string file = std::string(kProbe) + R"(
traffic:
  - between: [alice, server]
    via: none
)";
    r = run_scenario(testing::valid_topology(file), in_temp(), kernel, launcher);
    const auto traffic = std::find_if(r.checks.begin(), r.checks.end(),
                                      [](const CheckResult& c) { return c.process == "traffic"; });
    REQUIRE(traffic != r.checks.end());
    return *traffic;
}

}  // namespace

TEST_CASE("scenario: traffic checks of a network that was not built fail as not measured") {
    // A `via: none` check must not pass on the absence of data.
    testing::FakeKernel kernel;
    kernel.fail_on = "netns nat";
    RunReport r;
    const CheckResult traffic = none_check_on(kernel, r);
    CHECK_FALSE(r.passed);
    CHECK_FALSE(traffic.passed);
    CHECK(traffic.actual == "not measured: the network was not built");
    CHECK(kernel.alive.empty());
}

TEST_CASE("scenario: traffic counters that cannot be read fail the checks with the reason") {
    testing::FakeKernel kernel;
    // alice's link ends in the router: her counters are there, out of her reach.
    kernel.fail_on = "counters nat netdev testbed_traffic";
    RunReport r;
    const CheckResult traffic = none_check_on(kernel, r);
    CHECK_FALSE(r.passed);
    CHECK_FALSE(traffic.passed);
    CHECK(contains(traffic.actual, "not measured: reading the traffic counters in nat failed"));
}

TEST_CASE("scenario: a port-mapping router without miniupnpd is a SKIP naming the package") {
    forget_kernel_features();
    testing::FakeKernel kernel;
    testing::FakeLauncher launcher;
    launcher.missing.insert("miniupnpd");
    const Topology topo = testing::valid_topology(R"(
networks: { internet: 20.0.0.0/24, home: 10.0.1.0/24 }
hosts: { server: { internet: 20.0.0.1 }, alice: { home: auto } }
routers:
  gw: { wan: { internet: 20.0.0.10 }, lan: { home: auto }, nat: symmetric,
        port-mapping: { upnp: true } }
)");
    const RunReport r = run_scenario(topo, in_temp(), kernel, launcher);
    CHECK(r.skipped);
    CHECK(r.skip_reason ==
          "program 'miniupnpd' (the port-mapping gateway of router 'gw'; "
          "Debian's miniupnpd-nftables) is not installed");
    CHECK_FALSE(kernel.called("netns gw"));
}

TEST_CASE("scenario: a port-mapping router's daemon starts in the router before the first step") {
    forget_kernel_features();
    testing::FakeKernel kernel;
    testing::FakeLauncher launcher;
    const Topology topo = testing::valid_topology(R"(
networks: { internet: 20.0.0.0/24, home: 10.0.1.0/24 }
hosts: { server: { internet: 20.0.0.1 }, alice: { home: auto } }
routers:
  gw: { wan: { internet: 20.0.0.10 }, lan: { home: auto }, nat: symmetric,
        port-mapping: { nat-pmp: true } }
run:
  - start: probe
    on: alice
    cmd: [peer, probe]
)");
    launcher.scripts["gateway-gw"] = testing::Script{0, -1, "", {5351}, 0, ""};
    const RunReport r = run_scenario(topo, in_temp(), kernel, launcher);
    INFO(fmt::format("{}", fmt::join(r.errors, "; ")));
    REQUIRE(r.steps.size() >= 2);
    CHECK(r.steps[0].what == "start gateway-gw on gw");
    CHECK(r.steps[1].what == "start probe on alice");
    REQUIRE(!launcher.launched.empty());
    CHECK(launcher.launched.front().argv.at(0) == "miniupnpd");
    CHECK(std::any_of(kernel.rulesets.begin(), kernel.rulesets.end(), [](const std::string& text) {
        return text.find("table inet testbed_portmap") != std::string::npos;
    }));
}
