#include "cli/doctor.h"

#include <fmt/core.h>
#include <sched.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <functional>

#include "base/error.h"
#include "base/safe_file.h"
#include "cli/commands.h"
#include "kernel/features.h"
#include "kernel/linux/linux_kernel.h"
#include "load/loader.h"
#include "model/nat.h"
#include "plan/link.h"
#include "plan/plan.h"
#include "plan/traffic.h"
#include "run/capture.h"
#include "run/process.h"
#include "validate/validate.h"

namespace testbed {
namespace {

DoctorCheck probe(const std::string& feature, const std::string& needs, bool required,
                  const std::string& without, const std::function<void()>& attempt) {
    DoctorCheck c{feature, needs, required, false, true, "", without};
    try {
        attempt();
        c.ok = true;
    } catch (const std::exception& e) {
        c.detail = e.what();
    }
    return c;
}

DoctorCheck probe(const KernelFeature& f, bool required, const std::string& without,
                  const std::function<void()>& attempt) {
    return probe(f.name, f.options, required, without, attempt);
}

/// A router between an internet and a home network, whose rules each NAT
/// behaviour is generated for.
constexpr const char* kNatProbe = R"(name: doctor
networks: { internet: 203.0.113.0/24, home: 10.0.1.0/24 }
hosts: { server: { internet: auto }, alice: { home: auto } }
routers: { nat: { wan: { internet: auto }, lan: { home: auto }, nat: full-cone } }
)";

/// Every preset, and the behaviour options no preset uses.
std::vector<std::pair<std::string, NatSpec>> nat_behaviours() {
    std::vector<std::pair<std::string, NatSpec>> out;
    for (const auto& name : nat_preset_names())
        out.push_back({name, {name, *nat_preset(name), {}}});
    NatBehaviour b = *nat_preset("port-restricted-cone");
    b.ports = PortAssignment::random;
    b.hairpin = true;
    out.push_back({"random ports with hairpinning", {"", b, {}}});
    b = *nat_preset("symmetric");
    b.ports = PortAssignment::sequential;
    b.port_step = 2;
    b.udp_timeout = std::chrono::seconds(10);
    b.tcp_timeout = std::chrono::seconds(20);
    b.tcp.unsolicited = TcpUnsolicited::rst;
    out.push_back({"sequential ports, timeouts, tcp-unsolicited rst", {"", b, {}}});
    return out;
}

/// One check per behaviour whose rules the kernel refuses, or one for all.
void check_nat_rules(LinuxKernel& kernel, int ns, std::vector<DoctorCheck>& out) {
    Diagnostics diag("(doctor)");
    auto topo = load_topology_text(kNatProbe, diag);
    if (topo) validate_topology(*topo, diag);
    if (!topo || diag.has_errors()) throw Error("the doctor's own topology: " + diag.format());
    const Router& router = *topo->find_router("nat");
    size_t refused = 0;
    const auto behaviours = nat_behaviours();
    for (const auto& [name, spec] : behaviours) {
        const std::string rules = plan_router_rules(*topo, router, spec).text;
        DoctorCheck c = probe(fmt::format("nftables rules for nat: {}", name), nat_kernel_options(),
                              true, fmt::format("routers with this behaviour"),
                              [&] { kernel.check_ruleset(ns, rules); });
        if (!c.ok) {
            ++refused;
            out.push_back(std::move(c));
        }
    }
    if (refused == 0) {
        out.push_back(
            {fmt::format("nftables NAT and firewall rules ({} behaviours)", behaviours.size()),
             nat_kernel_options(), true, true, true,
             "every preset, hairpinning, port assignment, timeouts, rst", "NAT routers"});
    }
}

/// A child that makes a PID namespace of its own, as every started program gets.
void make_pid_namespace() {
    const pid_t child = ::fork();
    if (child < 0) throw_errno("fork");
    if (child == 0) ::_exit(::unshare(CLONE_NEWPID) == 0 ? 0 : errno);
    int status = 0;
    while (::waitpid(child, &status, 0) < 0 && errno == EINTR) {
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        throw Error(fmt::format("unshare(CLONE_NEWPID): {}", std::strerror(WEXITSTATUS(status))));
}

void kernel_checks(std::vector<DoctorCheck>& out) {
    LinuxKernel kernel;
    int a = -1, b = -1;
    out.push_back(probe(feature::kNetns, true, "everything", [&] {
        a = kernel.create_namespace("doctor-a", {});
        b = kernel.create_namespace("doctor-b", {});
    }));
    if (!out.back().ok) return;
    out.push_back(probe(feature::kVeth, true, "every link", [&] {
        kernel.add_veth(a, "v0", b, "v1");
        kernel.set_link_up(a, "v0");
        kernel.set_link_up(b, "v1");
    }));
    const bool veth = out.back().ok;
    if (veth) {
        out.push_back(probe(feature::kBridge, true, "networks of three nodes or more", [&] {
            kernel.add_bridge(a, "br0");
            kernel.enslave(a, "v0", "br0");
        }));
    }
    out.push_back(probe(feature::kPidns, true, "containing the processes a scenario starts",
                        make_pid_namespace));
    check_nat_rules(kernel, a, out);
    out.push_back(
        probe(feature::kCtnetlink, true, "`flush` steps", [&] { kernel.flush_conntrack(a); }));
    out.push_back(probe(feature::kConntrack, true, "udp-timeout and tcp-timeout", [&] {
        kernel.set_sysctl(a, "net/netfilter/nf_conntrack_udp_timeout", "30");
    }));
    if (!veth) return;
    out.push_back(probe(feature::kPacket, false, "run --capture", [&] {
        // A folder of its own: nothing planted in /tmp is written through.
        const HeldFolder folder = make_unique_folder(
            trusted_folder_root(std::filesystem::temp_directory_path().string()), "testbed-doctor");
        {
            Capture capture({{"probe", 0, "v1", true, "doctor"}}, {kernel.netns_fd(b)}, folder,
                            size_t{1} << 20);
            capture.stop();
        }
        std::filesystem::remove_all(folder.path);
    }));
    out.push_back(probe(feature::kNftIngress, false,
                        "link loss and duplicate where there is no netem either (they SKIP)",
                        [&] { kernel.apply_ruleset(b, link_ingress_probe("v1")); }));
    out.push_back(probe(feature::kNftEgress, false, "traffic: checks (they SKIP)",
                        [&] { kernel.apply_ruleset(b, traffic_egress_probe("v1")); }));
    out.push_back(
        probe(feature::kTbf, false, "link rate where there is no netem either (it SKIPs)",
              [&] { kernel.set_link_qdisc(b, "v1", link_qdisc_probe(QdiscSpec::Kind::tbf)); }));
    out.push_back(
        probe(feature::kNetem, false,
              "link delay, jitter, reorder, loss-correlation, and duplicate on what a "
              "node receives (they SKIP; loss, duplicate on a network, rate and mtu "
              "work without it)",
              [&] { kernel.set_link_qdisc(b, "v1", link_qdisc_probe(QdiscSpec::Kind::netem)); }));
}

DoctorCheck program(const std::string& names, const std::string& package, bool required,
                    const std::string& without, bool own) {
    DoctorCheck c{names, package, required, true, true, "", without};
    std::string found;
    size_t start = 0;
    while (start <= names.size()) {
        const size_t end = std::min(names.find(' ', start), names.size());
        const std::string name = names.substr(start, end - start);
        const std::string path = own ? own_program_dir() + "/" + name : find_program(name);
        if (path.empty() || !std::filesystem::exists(path)) {
            c.ok = false;
            c.detail += (c.detail.empty() ? "not found: " : ", ") + name;
        }
        start = end + 1;
    }
    return c;
}

}  // namespace

std::vector<DoctorCheck> run_doctor() {
    std::vector<DoctorCheck> out;
    const bool root = ::geteuid() == 0;
    out.push_back({"root", "sudo", true, root, true,
                   root ? "" : "run `sudo testbed doctor` to probe the kernel",
                   "building topologies (validate, graph and rules work without)"});
    if (root) {
        kernel_checks(out);
    } else {
        for (const char* f :
             {"network namespaces", "veth pairs", "bridges", "nftables NAT rules", "conntrack",
              "packet sockets", "nftables on ingress", "tbf and netem qdiscs"})
            out.push_back({f, "", true, false, false, "", ""});
    }
    out.push_back(program("rendezvous peer testbed-init", "this build", true,
                          "the punching scenarios", true));
    out.push_back(program("turnutils_stunclient turnutils_natdiscovery", "coturn", false,
                          "the third-party STUN tests (they SKIP)", false));
    out.push_back(program("miniupnpd", "miniupnpd-nftables", false,
                          "routers with port-mapping: (their scenarios SKIP)", false));
    out.push_back(program("upnpc natpmpc", "miniupnpc, natpmpc", false,
                          "topologies/port-mapping/third-party-clients.yaml (it SKIPs)", false));
    out.push_back(program("turnserver turnutils_uclient turnutils_peer", "coturn", false,
                          "topologies/thirdparty/coturn.yaml (it SKIPs)", false));
    out.push_back(program("nebula nebula-cert", "nebula", false,
                          "topologies/thirdparty/nebula.yaml (it SKIPs)", false));
    out.push_back(program("edge supernode", "n2n", false,
                          "topologies/thirdparty/n2n*.yaml (they SKIP)", false));
    out.push_back(program("chromium", "ci/install-deps.sh --test-tools", false,
                          "the HTML report's browser test (it SKIPs)", false));
    out.push_back(
        program("xmllint", "libxml2-utils", false, "the JUnit schema test (it SKIPs)", false));
    out.push_back(program("dot", "graphviz", false, "`graph --svg`", false));
    return out;
}

bool doctor_ok(const std::vector<DoctorCheck>& checks) {
    for (const auto& c : checks) {
        if (c.required && !c.ok) return false;
    }
    return true;
}

std::string format_doctor(const std::vector<DoctorCheck>& checks, const std::string& kernel) {
    std::string out = fmt::format("testbed doctor: kernel {}\n", kernel);
    size_t missing_optional = 0;
    for (const auto& c : checks) {
        const char* state = !c.checked   ? "unchecked"
                            : c.ok       ? "ok"
                            : c.required ? "MISSING"
                                         : "missing";
        out += fmt::format("  {:<9}  {}{}\n", state, c.feature,
                           c.needs.empty() ? "" : fmt::format(" ({})", c.needs));
        if (!c.ok && c.checked && !c.detail.empty())
            out += fmt::format("             {}\n", c.detail);
        if (!c.ok && c.checked && !c.without.empty())
            out += fmt::format("             without it: {}\n", c.without);
        if (c.ok && !c.detail.empty()) out += fmt::format("             {}\n", c.detail);
        if (!c.ok && !c.required) ++missing_optional;
    }
    if (!doctor_ok(checks))
        out += "verdict: NOT READY: a required feature is missing or unchecked (see above)\n";
    else if (missing_optional)
        out += fmt::format("verdict: ready; {} optional part{} missing (see above)\n",
                           missing_optional, missing_optional == 1 ? " is" : "s are");
    else
        out += "verdict: ready; nothing is missing\n";
    return out;
}

int cmd_doctor() {
    utsname u{};
    ::uname(&u);
    const auto checks = run_doctor();
    fmt::print("{}", format_doctor(checks, fmt::format("{} {}", u.sysname, u.release)));
    return doctor_ok(checks) ? 0 : kExitEnvironment;
}

}  // namespace testbed
