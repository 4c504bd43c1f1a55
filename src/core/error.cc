#include "core/error.h"

#include <cerrno>
#include <cstring>

namespace testbed {

void throw_errno(const std::string& call) {
    const int saved = errno;
    throw SystemError(call, std::strerror(saved));
}

}  // namespace testbed
