#pragma once
/// Queueing disciplines over netlink (libnl-route-3), no `tc` process.

#include <string>

struct nl_sock;

namespace testbed {

/// Adds a root qdisc on the interface: "tbf" at 10 Mbit/s or "netem" with
/// 1 ms of delay (what `testbed doctor` probes link impairments with);
/// throws SystemError with the kernel's error. `where` names the namespace.
void add_probe_qdisc(nl_sock* sock, int ifindex, const std::string& interface,
                     const std::string& kind, const std::string& where);

}  // namespace testbed
