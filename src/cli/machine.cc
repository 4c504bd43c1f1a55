#include "cli/commands.h"
#include "kernel/linux/linux_kernel.h"
#include "run/process.h"

namespace testbed {

Machine linux_machine() {
    return {[] { return std::make_unique<LinuxKernel>(); },
            [] { return std::make_unique<ProcessLauncher>(); }};
}

}  // namespace testbed
