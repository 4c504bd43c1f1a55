#include <fmt/core.h>
#include <unistd.h>

#include "cli/commands.h"
#include "cli/inputs.h"
#include "plan/link.h"
#include "run/link_change.h"

namespace testbed {
namespace {

/// What each link condition of the file needs of a kernel, whichever this
/// one has: the same names `doctor` checks and a SKIP quotes.
void print_link_needs(const Topology& topo) {
    for (const auto& need : missing_link_conditions_of_run(topo, [] { return LinkAbilities{}; }))
        fmt::print("  {}\n", need);
}

}  // namespace

int cmd_validate(const std::vector<std::string>& paths, const Machine& machine) {
    const auto found = topology_files(paths);
    if (!found) return kExitBadInput;
    const std::vector<std::string>& files = *found;
    int bad = 0;
    const bool root = ::geteuid() == 0;
    const std::unique_ptr<Kernel> kernel = root ? machine.kernel() : nullptr;
    for (const auto& file : files) {
        auto cells = load_scenarios(file);
        bool ok = cells.has_value();
        for (size_t i = 0; ok && root && i < cells->size(); ++i)
            ok = kernel_can_run(file, (*cells)[i], *kernel);
        if (!ok) {
            ++bad;
            continue;
        }
        fmt::print("ok {}{}{}\n", file,
                   cells->size() > 1 ? fmt::format(" ({} scenarios)", cells->size()) : "",
                   root ? "" : " (kernel features not checked: needs root)");
        print_link_needs(cells->front());
    }
    return bad == 0 ? 0 : kExitBadInput;
}

}  // namespace testbed
