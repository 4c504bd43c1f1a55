#include "kernel/linux/sysctl.h"

#include <fcntl.h>
#include <fmt/core.h>
#include <unistd.h>

#include <cerrno>

#include "base/error.h"
#include "base/fd.h"

namespace testbed {

void write_sysctl(const std::string& where, const std::string& key, const std::string& value) {
    const std::string path = "/proc/sys/" + key;
    Fd file(::open(path.c_str(), O_WRONLY | O_CLOEXEC));
    if (!file.valid()) {
        // IPv6 may be compiled out: its sysctls are optional, the others not.
        if (errno == ENOENT && key.rfind("net/ipv6/", 0) == 0) return;
        throw_errno(fmt::format("open({}) in '{}'", path, where));
    }
    if (::write(file.get(), value.data(), value.size()) != static_cast<ssize_t>(value.size())) {
        throw_errno(fmt::format("write({}, '{}') in '{}'", path, value, where));
    }
}

std::string read_sysctl(const std::string& where, const std::string& key) {
    const std::string path = "/proc/sys/" + key;
    Fd file(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!file.valid()) throw_errno(fmt::format("open({}) in '{}'", path, where));
    char buffer[256];
    const ssize_t n = ::read(file.get(), buffer, sizeof buffer);
    if (n < 0) throw_errno(fmt::format("read({}) in '{}'", path, where));
    std::string value(buffer, static_cast<size_t>(n));
    while (!value.empty() && (value.back() == '\n' || value.back() == ' ')) value.pop_back();
    return value;
}

}  // namespace testbed
