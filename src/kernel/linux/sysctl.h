#pragma once
/// Sysctls through /proc/sys, in the calling thread's namespace.

#include <string>

namespace testbed {

/// Writes /proc/sys/KEY; `where` names the namespace in errors. A missing
/// IPv6 key is no error (IPv6 may be compiled out).
void write_sysctl(const std::string& where, const std::string& key, const std::string& value);

/// Reads /proc/sys/KEY without the trailing newline.
std::string read_sysctl(const std::string& where, const std::string& key);

}  // namespace testbed
