#pragma once
/// Descriptors at scale: a topology of 1,000 NATs holds 4,000 namespace
/// descriptors. Libraries that still call select() (libnftables) abort on a
/// descriptor past FD_SETSIZE (1024), so the testbed raises its soft limit
/// and keeps what it holds for long above that line, leaving the low
/// numbers to the libraries.

#include "base/fd.h"

namespace testbed {

/// The first descriptor number held descriptors move to.
inline constexpr int kHighFdBase = 1024;

/// Raises the soft RLIMIT_NOFILE to the hard one (best effort).
void raise_fd_limit();

/// `fd` moved to a number at or above kHighFdBase (close-on-exec), or
/// returned as it is when the limit leaves no room there.
Fd to_high_fd(Fd fd);

}  // namespace testbed
