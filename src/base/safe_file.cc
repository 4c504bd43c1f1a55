#include "base/safe_file.h"

#include <fcntl.h>
#include <fmt/core.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <vector>

#include "base/error.h"

namespace testbed {

namespace {

/// Why someone other than this user and root could rename or replace what
/// is in the folder `path` (with `st` its lstat), or "".
std::string untrusted_folder(const std::string& path, const struct stat& st) {
    if (S_ISLNK(st.st_mode))
        return fmt::format("{}: a symbolic link; the logs need a real folder", path);
    if (!S_ISDIR(st.st_mode)) return fmt::format("{}: not a folder", path);
    if (st.st_uid != ::geteuid() && st.st_uid != 0)
        return fmt::format(
            "{}: belongs to uid {}, who could rename what the testbed makes in it; "
            "give a folder of your own",
            path, st.st_uid);
    const bool others_write = (st.st_mode & (S_IWGRP | S_IWOTH)) != 0;
    // The sticky bit keeps others from renaming our entries; its owner
    // (root, checked above) still could.
    if (others_write && !(st.st_mode & S_ISVTX))
        return fmt::format(
            "{}: others may write to it and it has no sticky bit (mode {:04o}); "
            "give a folder of your own",
            path, st.st_mode & 07777);
    return {};
}

/// Checks `canonical` (absolute, no links) and every folder above it: "/",
/// "/a", "/a/b", ...
void check_folder_chain(const std::string& canonical) {
    std::vector<std::string> folders{"/"};
    for (size_t slash = canonical.find('/', 1); slash != std::string::npos;
         slash = canonical.find('/', slash + 1))
        folders.push_back(canonical.substr(0, slash));
    if (canonical != "/") folders.push_back(canonical);
    for (const auto& folder : folders) {
        struct stat st {};
        if (::lstat(folder.c_str(), &st) != 0) throw_errno(fmt::format("lstat({})", folder));
        if (auto why = untrusted_folder(folder, st); !why.empty()) throw Error(why);
    }
}

std::string canonical_path(const std::string& path) {
    char* real = ::realpath(path.c_str(), nullptr);
    if (real == nullptr) throw_errno(fmt::format("realpath({})", path));
    std::string out = real;
    ::free(real);  // NOLINT(cppcoreguidelines-no-malloc): realpath's own allocation
    return out;
}

}  // namespace

std::string trusted_folder_root(const std::string& root) {
    struct stat st {};
    if (::lstat(root.c_str(), &st) != 0) {
        if (errno != ENOENT) throw_errno(fmt::format("lstat({})", root));
        // Missing: the folders above it first, so nothing is made in an
        // untrusted place.
        const size_t slash = root.find_last_of('/');
        const std::string parent =
            slash == std::string::npos ? "." : (slash == 0 ? "/" : root.substr(0, slash));
        check_folder_chain(canonical_path(parent));
        if (::mkdir(root.c_str(), 0700) != 0 && errno != EEXIST)
            throw_errno(fmt::format("mkdir({}, 0700)", root));
        if (::lstat(root.c_str(), &st) != 0) throw_errno(fmt::format("lstat({})", root));
    }
    if (auto why = untrusted_folder(root, st); !why.empty()) throw Error(why);
    std::string canonical = canonical_path(root);
    check_folder_chain(canonical);
    return canonical;
}

std::string HeldFolder::io() const {
    return fd.valid() ? fmt::format("/proc/self/fd/{}", fd.get()) : std::string();
}

HeldFolder hold_own_folder(const std::string& path) {
    HeldFolder out{path, Fd(::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC))};
    if (!out.fd.valid()) throw_errno(fmt::format("open({}, O_DIRECTORY|O_NOFOLLOW)", path));
    struct stat st {};
    if (::fstat(out.fd.get(), &st) != 0) throw_errno(fmt::format("fstat({})", path));
    if (st.st_uid != ::geteuid() || (st.st_mode & 07777) != 0700)
        throw Error(fmt::format("{}: not this user's own 0700 folder (uid {}, mode {:04o})", path,
                                st.st_uid, st.st_mode & 07777));
    return out;
}

HeldFolder make_unique_folder(const std::string& root, const std::string& prefix) {
    std::string path = fmt::format("{}/{}-XXXXXX", root, prefix);
    if (::mkdtemp(path.data()) == nullptr) throw_errno(fmt::format("mkdtemp({})", path));
    return hold_own_folder(path);
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
