#include "model/names.h"

#include <fmt/core.h>

namespace testbed {

bool is_valid_interface_name(const std::string& name, std::string* why) {
    if (name.empty() || name.size() > 15) {
        *why = fmt::format("{} characters; an interface name takes 1 to 15", name.size());
        return false;
    }
    // "all" and "default" name the kernel's per-family settings of every
    // interface (/proc/sys/net/ipv4/conf/all): no interface may take them.
    if (name == "lo" || name == "." || name == ".." || name == "all" || name == "default") {
        *why = "a name the kernel reserves";
        return false;
    }
    for (char c : name) {
        if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' && c != '.') {
            *why = "only letters, digits, '-', '_' and '.' may be used";
            return false;
        }
    }
    return true;
}

bool is_valid_node_name(const std::string& name, std::string* why) {
    if (name.empty() || name.size() > 32) {
        *why = fmt::format("{} characters; a name takes 1 to 32", name.size());
        return false;
    }
    for (char c : name) {
        if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_') {
            *why = "only letters, digits, '-' and '_' may be used";
            return false;
        }
    }
    return true;
}

}  // namespace testbed
