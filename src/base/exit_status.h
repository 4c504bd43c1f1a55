#pragma once
/// How a process ended, as the runner records it and the checks read it.

#include <optional>
#include <string>

namespace testbed {

struct ExitStatus {
    std::optional<int> code;    ///< set when it exited
    std::optional<int> signal;  ///< set when a signal ended it
    std::string str() const;    ///< "exit 0", "killed by SIGTERM", "running"
};

}  // namespace testbed
