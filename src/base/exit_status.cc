#include "base/exit_status.h"

#include <fmt/core.h>

#include <cstring>

namespace testbed {

std::string ExitStatus::str() const {
    if (code) return fmt::format("exit {}", *code);
    if (signal) {
        const char* name = sigabbrev_np(*signal);
        return name ? fmt::format("killed by SIG{}", name)
                    : fmt::format("killed by signal {}", *signal);
    }
    return "running";
}

}  // namespace testbed
