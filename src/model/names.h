#pragma once
/// What may be a name in a topology: names become interface and namespace
/// names, so the kernel's limits are the rules.

#include <string>

namespace testbed {

/// True for names usable as a network name: they become interface names, so
/// at most 15 characters of [A-Za-z0-9_.-], not "lo", "all" or "default". `why` says what is wrong.
bool is_valid_interface_name(const std::string& name, std::string* why);
/// True for names of hosts, routers and processes: [A-Za-z0-9_-], 1 to 32 characters.
bool is_valid_node_name(const std::string& name, std::string* why);

}  // namespace testbed
