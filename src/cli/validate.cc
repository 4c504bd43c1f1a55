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
    int cannot_run = 0;
    const bool root = ::geteuid() == 0;
    const std::unique_ptr<Kernel> kernel = root ? machine.kernel() : nullptr;
    for (const auto& file : files) {
        auto cells = load_scenarios(file);
        if (!cells) {
            ++bad;
            continue;
        }
        // A correct file this kernel cannot run is no bad input: a warning
        // naming what is missing, and exit 3 as `run` would SKIP it.
        bool runs = true;
        for (size_t i = 0; runs && root && i < cells->size(); ++i)
            runs = kernel_can_run(file, (*cells)[i], *kernel, "warning");
        if (!runs) ++cannot_run;
        fmt::print("ok {}{}{}\n", file,
                   cells->size() > 1 ? fmt::format(" ({} scenarios)", cells->size()) : "",
                   !root  ? " (kernel features not checked: needs root)"
                   : runs ? ""
                          : " (this machine cannot run it: see the warning)");
        print_link_needs(cells->front());
    }
    if (bad > 0) return kExitBadInput;
    return cannot_run > 0 ? kExitEnvironment : 0;
}

}  // namespace testbed
