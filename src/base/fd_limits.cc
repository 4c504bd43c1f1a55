#include "base/fd_limits.h"

#include <fcntl.h>
#include <sys/resource.h>

namespace testbed {

void raise_fd_limit() {
    rlimit limit{};
    if (::getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur >= limit.rlim_max) return;
    limit.rlim_cur = limit.rlim_max;
    (void)::setrlimit(RLIMIT_NOFILE, &limit);
}

Fd to_high_fd(Fd fd) {
    if (!fd.valid() || fd.get() >= kHighFdBase) return fd;
    const int high = ::fcntl(fd.get(), F_DUPFD_CLOEXEC, kHighFdBase);
    if (high < 0) return fd;
    return Fd(high);  // the low one closes here
}

}  // namespace testbed
