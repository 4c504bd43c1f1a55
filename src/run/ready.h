#pragma once
/// Readiness checks for `ready:` — is a port bound in a process's namespace,
/// has its stdout matched a regex — each a single look, to be polled.

#include <string>

namespace testbed {

/// True when a UDP socket is bound to `port` (tcp=false), or a TCP socket
/// listens on it (tcp=true), in the network namespace of process `pid`.
/// Reads /proc/PID/net/{udp,udp6,tcp,tcp6}.
bool port_bound(int pid, bool tcp, int port);

/// True when the table text (the format of /proc/net/udp) has a matching socket.
bool table_has_port(const std::string& table, bool tcp, int port);

}  // namespace testbed
