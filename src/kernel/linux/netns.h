#pragma once
/// Network namespaces held by file descriptor. A namespace lives as long as
/// its descriptor, a process inside it, or a named handle (a bind mount under
/// /run/netns) holds it; the testbed holds descriptors only, so the kernel
/// reclaims everything when the testbed dies, except for `testbed up`, which
/// adds named handles on purpose.

#include <functional>
#include <string>

#include "base/fd.h"

namespace testbed {

/// Creates a new network namespace and returns a descriptor for it. The
/// calling thread stays in the namespace it was in; `inside`, if given, runs
/// in the new namespace first (one switch instead of two for setup work).
Fd create_netns(const std::function<void()>& inside = {});

/// Opens the namespace behind a named handle (/run/netns/NAME).
Fd open_named_netns(const std::string& name);

/// Makes a named handle /run/netns/NAME for the namespace behind `fd`, so
/// that `ip netns exec NAME` and `testbed exec` find it.
void name_netns(int fd, const std::string& name);

/// Removes the named handle /run/netns/NAME; a missing one is not an error.
void unname_netns(const std::string& name);

/// Directory of the named handles.
inline constexpr const char* kNetnsDir = "/run/netns";

/// Moves the calling thread into a namespace for the lifetime of the scope,
/// and back to where it was. If moving back fails the process aborts: going
/// on in the wrong namespace could change the machine's own network.
class NetnsScope {
  public:
    explicit NetnsScope(int target_fd);
    ~NetnsScope();
    NetnsScope(const NetnsScope&) = delete;
    NetnsScope& operator=(const NetnsScope&) = delete;

  private:
    Fd original_;
};

}  // namespace testbed
