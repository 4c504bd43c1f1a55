#pragma once
/// Ctrl-C and SIGTERM: the first asks for a clean teardown (polling loops
/// notice and throw Interrupted), a second one forces it: every started
/// process group gets SIGKILL and the testbed exits at once, leaving the
/// kernel to reclaim the namespaces it held by descriptor.

#include "core/error.h"

namespace testbed {

class Interrupted : public Error {
  public:
    Interrupted() : Error("interrupted") {}
};

/// Installs the SIGINT/SIGTERM/SIGHUP handlers.
void install_interrupt_handlers();
bool interrupted();
/// Throws Interrupted when a signal asked the testbed to stop.
void throw_if_interrupted();

}  // namespace testbed
