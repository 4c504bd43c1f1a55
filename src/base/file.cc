#include "base/file.h"

#include <fcntl.h>
#include <fmt/core.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "base/fd.h"

namespace testbed {
namespace {

const char* kind_of(mode_t mode) {
    if (S_ISDIR(mode)) return "a folder";
    if (S_ISFIFO(mode)) return "a FIFO";
    if (S_ISCHR(mode)) return "a character device";
    if (S_ISBLK(mode)) return "a block device";
    if (S_ISSOCK(mode)) return "a socket";
    return "not a regular file";
}

/// The whole of the open file `fd`, bounded, as read_regular_file says.
std::optional<std::string> read_open_file(const Fd& fd, size_t max_bytes, std::string* why) {
    if (!fd.valid()) {
        *why = fmt::format("cannot open the file: {}", std::strerror(errno));
        return std::nullopt;
    }
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0) {
        *why = fmt::format("fstat: {}", std::strerror(errno));
        return std::nullopt;
    }
    if (!S_ISREG(st.st_mode)) {
        *why = fmt::format("{}, not a regular file", kind_of(st.st_mode));
        return std::nullopt;
    }
    if (static_cast<size_t>(st.st_size) > max_bytes) {
        *why = fmt::format("{} bytes; a file may have at most {}", st.st_size, max_bytes);
        return std::nullopt;
    }
    std::string text;
    char buffer[65536];
    while (true) {
        const ssize_t n = ::read(fd.get(), buffer, sizeof buffer);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            *why = fmt::format("read: {}", std::strerror(errno));
            return std::nullopt;
        }
        if (n == 0) break;
        // The file may have grown since fstat: the bound holds all the same.
        if (text.size() + static_cast<size_t>(n) > max_bytes) {
            *why = fmt::format("more than {} bytes", max_bytes);
            return std::nullopt;
        }
        text.append(buffer, static_cast<size_t>(n));
    }
    return text;
}

}  // namespace

std::optional<std::string> read_regular_file(const std::string& path, size_t max_bytes,
                                             std::string* why) {
    // O_NONBLOCK: opening a FIFO must not wait for a writer.
    const Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY));
    return read_open_file(fd, max_bytes, why);
}

std::optional<std::string> read_file_beneath(const std::string& folder, const std::string& relative,
                                             size_t max_bytes, std::string* why) {
    const Fd dir(::open(folder.empty() ? "." : folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!dir.valid()) {
        *why = fmt::format("cannot open the folder '{}': {}", folder, std::strerror(errno));
        return std::nullopt;
    }
    open_how how{};
    how.flags = O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY;
    // The kernel refuses every way out: an absolute path, "..", a link
    // that points above the folder, /proc's magic links.
    how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;
    const Fd fd(
        static_cast<int>(::syscall(SYS_openat2, dir.get(), relative.c_str(), &how, sizeof how)));
    if (!fd.valid() && errno == EXDEV) {
        *why =
            "not in the topology's folder or below it (an absolute path, '..' or a "
            "link that leads out)";
        return std::nullopt;
    }
    return read_open_file(fd, max_bytes, why);
}

bool write_all(int fd, std::string_view data) {
    while (!data.empty()) {
        const ssize_t n = ::write(fd, data.data(), data.size());
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;
        data.remove_prefix(static_cast<size_t>(n));
    }
    return true;
}

}  // namespace testbed
