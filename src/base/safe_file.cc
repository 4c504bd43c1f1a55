#include "base/safe_file.h"

#include <fcntl.h>
#include <fmt/core.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "base/error.h"

namespace testbed {

void check_folder_root(const std::string& root) {
    if (::mkdir(root.c_str(), 0700) != 0 && errno != EEXIST)
        throw_errno(fmt::format("mkdir({})", root));
    struct stat st {};
    if (::lstat(root.c_str(), &st) != 0) throw_errno(fmt::format("lstat({})", root));
    if (S_ISLNK(st.st_mode))
        throw Error(fmt::format("{}: a symbolic link; the logs need a real folder", root));
    if (!S_ISDIR(st.st_mode)) throw Error(fmt::format("{}: not a folder", root));
    const bool others_write = (st.st_mode & (S_IWGRP | S_IWOTH)) != 0;
    if (st.st_uid != ::geteuid() && others_write && !(st.st_mode & S_ISVTX))
        throw Error(
            fmt::format("{}: belongs to uid {} and others may write to it; "
                        "give a folder of your own",
                        root, st.st_uid));
}

std::string make_unique_folder(const std::string& root, const std::string& prefix) {
    std::string path = fmt::format("{}/{}-XXXXXX", root, prefix);
    if (::mkdtemp(path.data()) == nullptr) throw_errno(fmt::format("mkdtemp({})", path));
    return path;
}

Fd create_new_file(const std::string& path) {
    Fd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
    if (!fd.valid()) throw_errno(fmt::format("open({}, O_CREAT|O_EXCL|O_NOFOLLOW)", path));
    return fd;
}

std::optional<unsigned> parse_file_mode(std::string_view text, unsigned allowed) {
    if (text.empty() || text.size() > 4) return std::nullopt;
    unsigned mode = 0;
    for (const char c : text) {
        if (c < '0' || c > '7') return std::nullopt;
        mode = mode * 8 + static_cast<unsigned>(c - '0');
    }
    if ((mode & ~(allowed & 0777U)) != 0) return std::nullopt;
    return mode;
}

Fd create_report_file(const std::string& path, unsigned mode) {
    Fd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
                 static_cast<mode_t>(mode)));
    if (fd.valid()) return fd;
    if (errno != EEXIST) throw_errno(fmt::format("open({}, O_CREAT|O_EXCL|O_NOFOLLOW)", path));
    // It exists: overwrite it only when it is a regular file of this user.
    fd.reset(::open(path.c_str(), O_WRONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK));
    if (!fd.valid()) throw_errno(fmt::format("open({}, O_NOFOLLOW)", path));
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0) throw_errno(fmt::format("fstat({})", path));
    if (!S_ISREG(st.st_mode) || st.st_uid != ::geteuid())
        throw Error(
            fmt::format("{}: exists and is not a regular file of this user; "
                        "not overwritten",
                        path));
    if (::ftruncate(fd.get(), 0) != 0) throw_errno(fmt::format("ftruncate({})", path));
    if (::fchmod(fd.get(), static_cast<mode_t>(mode)) != 0)
        throw_errno(fmt::format("fchmod({})", path));
    return fd;
}

}  // namespace testbed
