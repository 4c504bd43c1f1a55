#include <fmt/core.h>

#include <filesystem>
#include <fstream>

#include "base/error.h"
#include "base/log.h"
#include "cli/commands.h"
#include "cli/inputs.h"
#include "plan/plan.h"
#include "report/dot.h"
#include "run/process.h"

namespace testbed {

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

int cmd_rules(const std::string& file, const std::string& node) {
    auto topo = load_valid(file);
    if (!topo) return kExitBadInput;
    // A host has rules only for `traffic:` checks (plan/traffic.h).
    const bool host = topo->find_host(node) != nullptr;
    if (!host && !topo->find_router(node)) {
        log::error("{}: no router or host '{}'", file, node);
        return kExitBadInput;
    }
    const NetworkPlan plan = plan_network(*topo);
    for (const auto& w : plan.warnings) log::warning("{}", w);
    const auto kind = host ? NamespacePlan::Kind::host : NamespacePlan::Kind::router;
    const auto& ns = plan.namespaces[plan.index_of(node, kind)];
    const char* none = host ? "# no rules: this file has no traffic checks\n"
                            : "# no rules: this router forwards everything\n";
    fmt::print("{}", ns.ruleset.empty() ? none : ns.ruleset);
    if (!ns.gateway_ruleset.empty()) {
        fmt::print(
            "# the gateway daemon's table: miniupnpd adds a rule per mapping at run time\n"
            "{}",
            ns.gateway_ruleset);
    }
    return 0;
}

}  // namespace testbed
