#include <fmt/core.h>
#include <unistd.h>

#include "cli/commands.h"
#include "cli/inputs.h"

namespace testbed {

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
    }
    return bad == 0 ? 0 : kExitBadInput;
}

}  // namespace testbed
