#pragma once
/// Readiness checks for `ready:` — is a port bound in a process's namespace,
/// has its stdout matched a regex — each a single look, to be polled.

#include <optional>
#include <string>

#include "base/fd.h"
#include "base/regex.h"

namespace testbed {

/// True when a UDP socket is bound to `port` (tcp=false), or a TCP socket
/// listens on it (tcp=true), in the network namespace of process `pid`.
/// Reads /proc/PID/net/{udp,udp6,tcp,tcp6}.
bool port_bound(int pid, bool tcp, int port);

/// True when the table text (the format of /proc/net/udp) has a matching socket.
bool table_has_port(const std::string& table, bool tcp, int port);

/// Watches a log file that a process writes for a regex. Each look reads
/// only what was added since the last one, and searches only when something
/// was: polling costs nothing while the process is quiet.
class OutputWatch {
  public:
    OutputWatch(std::string path, const std::string& regex);
    /// True once the text written so far matches.
    bool matched();

  private:
    std::string path_;
    std::optional<Regex> regex_;  ///< nullopt for a pattern that does not compile: never matches
    Fd fd_;
    std::string text_;
    bool found_ = false;
};

}  // namespace testbed
