#include "run/kept.h"

#include <fmt/core.h>
#include <fmt/ranges.h>

#include <cstdlib>
#include <filesystem>

#include "base/error.h"
#include "base/log.h"
#include "cli/commands.h"
#include "cli/inputs.h"
#include "kernel/linux/netns.h"
#include "kernel/realizer.h"
#include "plan/plan.h"
#include "run/process.h"
#include "run/scenario.h"

namespace testbed {

int cmd_up(const std::string& file, const Machine& machine) {
    auto topo = load_valid(file);
    if (!topo) return kExitBadInput;
    if (!require_root("up")) return kExitEnvironment;
    const std::unique_ptr<Kernel> owned = machine.kernel();
    Kernel& kernel = *owned;
    if (!kernel_can_run(file, *topo, kernel, "error")) return kExitEnvironment;
    const NetworkPlan plan = plan_network(*topo);
    for (const auto& w : plan.warnings) log::warning("{}", w);
    Realizer realizer(kernel, plan);
    KeptTopology kept;
    kept.run_id = new_run_id();
    kept.name = topo->name;
    kept.file = std::filesystem::absolute(file).string();
    kept.owner = Owner::self();
    kept.complete = false;
    for (const auto& ns : plan.namespaces) {
        kept.handles.push_back(handle_name(kept.run_id, ns));
        if (ns.kind != NamespacePlan::Kind::bridge) kept.nodes[ns.name] = kept.handles.back();
    }
    size_t named = 0;
    try {
        // The state file comes first: whatever happens to this process from
        // here on, list, down and clean know what it made.
        save_kept(kept);
        realizer.build();
        for (; named < plan.namespaces.size(); ++named)
            kernel.name_namespace(realizer.ns_id(named), kept.handles[named]);
        kept.complete = true;
        save_kept(kept);
    } catch (const std::exception& e) {
        log::error("{}", e.what());
        for (size_t i = 0; i < named; ++i) kernel.unname_namespace(kept.handles[i]);
        std::error_code ec;
        std::filesystem::remove(fmt::format("{}/{}.json", kStateDir, kept.run_id), ec);
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

int cmd_down(const std::string& run_id, bool all, const Machine& machine) {
    if (!require_root("down")) return kExitEnvironment;
    try {
        std::vector<KeptTopology> targets =
            all ? list_kept() : std::vector<KeptTopology>{find_kept(run_id)};
        const std::unique_ptr<Kernel> kernel = machine.kernel();
        for (const auto& k : targets) {
            remove_kept(k, *kernel);
            fmt::print("down: {} (run {})\n", k.name, k.run_id);
        }
    } catch (const Error& e) {
        log::error("{}", e.what());
        return kExitBadInput;
    }
    return 0;
}

int cmd_list() {
    const auto kept = list_kept();
    for (const auto& k : kept) {
        const char* state = k.complete   ? ""
                            : k.broken() ? "  (broken: its `up` was stopped half-way; "
                                           "`testbed clean` or `testbed down --run ID` removes it)"
                                         : "  (being made)";
        fmt::print("{}  {}  {} nodes  {}{}\n", k.run_id, k.name, k.nodes.size(), k.file, state);
    }
    const auto orphans = orphan_handles(kept);
    if (!orphans.empty())
        fmt::print("{} handle(s) no kept topology names (`testbed clean` removes them): {}\n",
                   orphans.size(), fmt::join(orphans, " "));
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

int cmd_clean(const Machine& machine) {
    if (!require_root("clean")) return kExitEnvironment;
    try {
        const auto removed = clean_leftovers(*machine.kernel());
        for (const auto& r : removed) fmt::print("removed {}\n", r);
        if (removed.empty()) fmt::print("nothing to clean\n");
    } catch (const Error& e) {
        log::error("{}", e.what());
        return kExitEnvironment;
    }
    return 0;
}

}  // namespace testbed
