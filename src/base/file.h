#pragma once
/// Reading an input file a user names, bounded: only a regular file (a FIFO
/// would hang the reader, a device would never end), and only up to a size.

#include <optional>
#include <string>
#include <string_view>

namespace testbed {

/// The whole file, or nullopt with `why` set: it cannot be opened, it is
/// not a regular file (says what it is), or it is larger than `max_bytes`.
std::optional<std::string> read_regular_file(const std::string& path, size_t max_bytes,
                                             std::string* why);

/// Like read_regular_file, for `relative` read from `folder` (a topology's
/// folder): the kernel keeps the path inside it (openat2 RESOLVE_BENEATH),
/// so no absolute path, "..", or link leads to a file outside, which a
/// root run would otherwise read and print.
std::optional<std::string> read_file_beneath(const std::string& folder, const std::string& relative,
                                             size_t max_bytes, std::string* why);

/// Writes all of `data` to `fd`, through short writes and EINTR; false on
/// an error (errno tells which) or when nothing more can be written.
bool write_all(int fd, std::string_view data);

}  // namespace testbed
