#pragma once
/// Ctrl-C and SIGTERM: the first asks for a clean teardown (polling loops
/// notice and throw Interrupted), a second one forces it: every registered
/// process group gets SIGKILL and the testbed exits at once, leaving the
/// kernel to reclaim the namespaces it held by descriptor.

#include <cstddef>

#include "base/error.h"

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

/// How many process groups the forced stop can hold at once.
inline constexpr size_t kMaxEmergencyGroups = 4096;

/// Registers a process group for the SIGKILL of a forced stop (storage that
/// a signal handler may read). False when every slot is taken: the caller
/// must not leave such a group running.
[[nodiscard]] bool register_emergency_group(int pgid);
void unregister_emergency_group(int pgid);
/// SIGKILLs every registered group; async-signal-safe.
void emergency_kill_all();

}  // namespace testbed
