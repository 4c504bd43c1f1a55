#include "core/commands.h"

#include <fmt/core.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <optional>
#include <set>
#include <sstream>

#include "core/doctor.h"
#include "core/graph.h"
#include "core/interrupt.h"
#include "core/kept.h"
#include "core/linux_kernel.h"
#include "core/loader.h"
#include "core/log.h"
#include "core/matrix.h"
#include "core/netns.h"
#include "core/plan.h"
#include "core/preflight.h"
#include "core/process.h"
#include "core/realizer.h"
#include "core/suite.h"
#include "core/validate.h"

namespace testbed {
namespace {

/// Loads one file, expands its matrix and validates every scenario,
/// printing each diagnostic once. Nullopt when anything is wrong.
std::optional<std::vector<Topology>> load_scenarios(const std::string& file) {
    Diagnostics diag(file);
    auto topo = load_topology_file(file, diag);
    std::string text = diag.format();
    bool errors = diag.has_errors();
    std::vector<Topology> cells;
    if (topo) {
        if (topo->name.empty()) topo->name = std::filesystem::path(file).stem().string();
        cells = expand_matrix(*topo);
        std::set<std::string> seen;
        for (auto& cell : cells) {
            Diagnostics d(file);
            validate_topology(cell, d);
            errors = errors || d.has_errors();
            std::istringstream lines(d.format());
            for (std::string line; std::getline(lines, line);) {
                if (seen.insert(line).second) text += line + "\n";
            }
        }
    }
    if (!text.empty()) fmt::print(stderr, "{}", text);
    if (!topo || errors || cells.empty()) return std::nullopt;
    return cells;
}

/// One scenario: a file without a matrix, or a matrix that `filter` narrows to one cell.
std::optional<Topology> load_valid(const std::string& file) {
    auto cells = load_scenarios(file);
    if (!cells) return std::nullopt;
    if (cells->size() > 1) {
        log::error(
            "{}: a matrix of {} scenarios; this command takes one (e.g. `testbed run "
            "--filter` runs some of them)",
            file, cells->size());
        return std::nullopt;
    }
    return std::move(cells->front());
}

bool require_root(const char* command) {
    if (::geteuid() == 0) return true;
    log::error(
        "`testbed {}` creates network namespaces and needs root (CAP_SYS_ADMIN, CAP_NET_ADMIN); "
        "run it with sudo",
        command);
    return false;
}

}  // namespace

/// As root, whether this kernel can load every ruleset of `topo`, printing why not.
bool kernel_can_run(const std::string& file, const Topology& topo) {
    const auto errors = check_kernel_features(topo, plan_network(topo));
    for (const auto& e : errors) fmt::print(stderr, "{}: error: {}\n", file, e);
    return errors.empty();
}

std::vector<std::string> topology_files(const std::vector<std::string>& paths) {
    std::vector<std::string> out;
    for (const auto& path : paths) {
        std::error_code ec;
        if (!std::filesystem::is_directory(path, ec)) {
            out.push_back(path);
            continue;
        }
        std::vector<std::string> found;
        for (const auto& e : std::filesystem::recursive_directory_iterator(path, ec)) {
            const auto ext = e.path().extension();
            if (e.is_regular_file() && (ext == ".yaml" || ext == ".yml"))
                found.push_back(e.path().string());
        }
        std::sort(found.begin(), found.end());
        out.insert(out.end(), found.begin(), found.end());
    }
    return out;
}

int cmd_doctor() {
    utsname u{};
    ::uname(&u);
    const auto checks = run_doctor();
    fmt::print("{}", format_doctor(checks, fmt::format("{} {}", u.sysname, u.release)));
    return doctor_ok(checks) ? 0 : kExitEnvironment;
}

int cmd_validate(const std::vector<std::string>& paths) {
    const std::vector<std::string> files = topology_files(paths);
    int bad = 0;
    const bool root = ::geteuid() == 0;
    for (const auto& file : files) {
        auto cells = load_scenarios(file);
        bool ok = cells.has_value();
        for (size_t i = 0; ok && root && i < cells->size(); ++i)
            ok = kernel_can_run(file, (*cells)[i]);
        if (!ok) {
            ++bad;
            continue;
        }
        fmt::print("ok {}{}{}\n", file,
                   cells->size() > 1 ? fmt::format(" ({} scenarios)", cells->size()) : "",
                   root ? "" : " (kernel features not checked: needs root)");
    }
    return bad == 0 ? 0 : kExitBadInput;
}

int cmd_run(const std::vector<std::string>& paths, const SuiteOptions& options) {
    const std::vector<std::string> files = topology_files(paths);
    // Every file is validated before anything is created: a bad file in the
    // list changes nothing on the machine.
    std::vector<Topology> all;
    for (const auto& file : files) {
        auto cells = load_scenarios(file);
        if (!cells) return kExitBadInput;
        for (auto& c : *cells) all.push_back(std::move(c));
    }
    const auto selected = select_scenarios(all, options);
    if (selected.empty()) {
        log::error("no scenario selected ({} in the files{})", all.size(),
                   options.filter ? fmt::format(", filter '{}'", options.filter_text) : "");
        return kExitBadInput;
    }
    if (!require_root("run")) return kExitEnvironment;
    install_interrupt_handlers();
    const auto results = run_suite(selected, options);
    size_t failed = 0, skipped = 0, passed = 0;
    for (const auto& r : results) {
        if (!r.runs.empty() && r.skips() == r.runs.size())
            ++skipped;
        else if (r.failed() || r.runs.empty())
            ++failed;
        else
            ++passed;
    }
    if (results.size() > 1 || skipped > 0) {
        fmt::print("{} passed, {} failed, {} skipped\n", passed, failed, skipped);
    }
    if (interrupted()) return kExitInterrupted;
    if (failed > 0) return kExitFail;
    return skipped > 0 ? kExitSkipped : 0;
}

int cmd_up(const std::string& file) {
    auto topo = load_valid(file);
    if (!topo) return kExitBadInput;
    if (!require_root("up")) return kExitEnvironment;
    if (!kernel_can_run(file, *topo)) return kExitBadInput;
    const NetworkPlan plan = plan_network(*topo);
    for (const auto& w : plan.warnings) log::warning("{}", w);
    LinuxKernel kernel;
    Realizer realizer(kernel, plan);
    KeptTopology kept;
    kept.run_id = new_run_id();
    kept.name = topo->name;
    kept.file = std::filesystem::absolute(file).string();
    try {
        realizer.build();
        for (size_t i = 0; i < plan.namespaces.size(); ++i) {
            const std::string handle = handle_name(kept.run_id, plan.namespaces[i]);
            name_netns(kernel.fd(realizer.ns_id(i)), handle);
            kept.handles.push_back(handle);
            if (plan.namespaces[i].kind != NamespacePlan::Kind::bridge)
                kept.nodes[plan.namespaces[i].name] = handle;
        }
        save_kept(kept);
    } catch (const std::exception& e) {
        log::error("{}", e.what());
        for (const auto& h : kept.handles) unname_netns(h);
        return kExitEnvironment;
    }
    realizer.release();  // the named handles keep the namespaces now
    fmt::print("up: {} as run {} ({} namespaces)\n", topo->name, kept.run_id, kept.handles.size());
    for (const auto& [node, handle] : kept.nodes)
        fmt::print("  {:<16} ip netns exec {} ...\n", node, handle);
    fmt::print("try: testbed exec {} -- ip addr; remove it with: testbed down\n",
               kept.nodes.begin()->first);
    return 0;
}

int cmd_down(const std::string& run_id, bool all) {
    if (!require_root("down")) return kExitEnvironment;
    try {
        std::vector<KeptTopology> targets =
            all ? list_kept() : std::vector<KeptTopology>{find_kept(run_id)};
        for (const auto& k : targets) {
            remove_kept(k);
            fmt::print("down: {} (run {})\n", k.name, k.run_id);
        }
    } catch (const Error& e) {
        log::error("{}", e.what());
        return kExitBadInput;
    }
    return 0;
}

int cmd_list() {
    for (const auto& k : list_kept()) {
        fmt::print("{}  {}  {} nodes  {}\n", k.run_id, k.name, k.nodes.size(), k.file);
    }
    return 0;
}

int cmd_exec(const std::string& node, const std::string& run_id,
             const std::vector<std::string>& argv) {
    if (!require_root("exec")) return kExitEnvironment;
    try {
        const KeptTopology kept = find_kept(run_id);
        auto it = kept.nodes.find(node);
        if (it == kept.nodes.end()) {
            throw Error(fmt::format("no node '{}' in run {} ({})", node, kept.run_id, kept.name));
        }
        Fd ns = open_named_netns(it->second);
        return run_attached(ns.get(), argv, {{"TESTBED_NODE", node}});
    } catch (const Error& e) {
        log::error("{}", e.what());
        return kExitBadInput;
    }
}

int cmd_shell(const std::string& node, const std::string& run_id) {
    const char* shell = std::getenv("SHELL");
    std::vector<std::string> argv{shell && *shell ? shell : "/bin/bash"};
    fmt::print(stderr, "shell in '{}'; exit to leave\n", node);
    return cmd_exec(node, run_id, argv);
}

int cmd_clean() {
    if (!require_root("clean")) return kExitEnvironment;
    try {
        const auto removed = clean_leftovers();
        for (const auto& r : removed) fmt::print("removed {}\n", r);
        if (removed.empty()) fmt::print("nothing to clean\n");
    } catch (const Error& e) {
        log::error("{}", e.what());
        return kExitEnvironment;
    }
    return 0;
}

int cmd_graph(const std::string& file, const std::string& svg_out) {
    auto topo = load_valid(file);
    if (!topo) return kExitBadInput;
    const std::string dot = topology_dot(*topo);
    if (svg_out.empty()) {
        fmt::print("{}", dot);
        return 0;
    }
    const std::string dot_file = svg_out + ".dot";
    std::ofstream(dot_file) << dot;
    try {
        const int rc = run_attached(-1, {"dot", "-Tsvg", "-o", svg_out, dot_file});
        std::filesystem::remove(dot_file);
        if (rc != 0) {
            log::error("dot exited with {}", rc);
            return kExitEnvironment;
        }
    } catch (const Error& e) {
        std::filesystem::remove(dot_file);
        log::error("{}; install Graphviz (apt-get install graphviz) for SVG, or omit --svg for DOT",
                   e.what());
        return kExitEnvironment;
    }
    fmt::print("wrote {}\n", svg_out);
    return 0;
}

int cmd_rules(const std::string& file, const std::string& router) {
    auto topo = load_valid(file);
    if (!topo) return kExitBadInput;
    if (!topo->find_router(router)) {
        log::error("{}: no router '{}'", file, router);
        return kExitBadInput;
    }
    const NetworkPlan plan = plan_network(*topo);
    for (const auto& w : plan.warnings) log::warning("{}", w);
    const auto& ns = plan.namespaces[plan.index_of(router, NamespacePlan::Kind::router)];
    fmt::print("{}",
               ns.ruleset.empty() ? "# no rules: this router forwards everything\n" : ns.ruleset);
    return 0;
}

}  // namespace testbed
