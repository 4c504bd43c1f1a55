#include "run/node_fs.h"

#include <fcntl.h>
#include <fmt/core.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <thread>

#include "base/error.h"

namespace testbed {
namespace {

/// What stays visible below one tmpfs mount point: an O_PATH descriptor
/// opened before the tmpfs hides it, and where to bind it again.
struct Kept {
    std::string path;
    Fd fd;
    bool file = false;  ///< a file alone, not a folder
};

std::string failure(const std::string& call) {
    return fmt::format("{}: {}", call, std::strerror(errno));
}

/// `path` and its parents inside the fresh tmpfs (0755, as the originals
/// are reached through them); `path` itself an empty file when `file`, to
/// bind a file on.
bool make_path(const std::string& path, bool file) {
    for (size_t slash = path.find('/', 1); slash != std::string::npos;
         slash = path.find('/', slash + 1)) {
        if (::mkdir(path.substr(0, slash).c_str(), 0755) != 0 && errno != EEXIST) return false;
    }
    if (file) {
        const Fd made(::open(path.c_str(), O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0644));
        return made.valid();
    }
    return ::mkdir(path.c_str(), 0755) == 0 || errno == EEXIST;
}

/// A fresh tmpfs on `dir`, with every `keep` path below it bound back.
std::string fresh_tmpfs(const char* dir, const char* options,
                        const std::vector<VisiblePath>& keep) {
    std::vector<Kept> kept;
    const std::string prefix = std::string(dir) + "/";
    for (const auto& k : keep) {
        if (!k.path.starts_with(prefix)) continue;
        // What a step names is followed as the step would; the log folder
        // must be the folder itself (and is checked to be the one held).
        Fd fd(::open(k.path.c_str(), O_PATH | O_CLOEXEC | (k.held >= 0 ? O_NOFOLLOW : 0)));
        if (!fd.valid()) return failure(fmt::format("open({}, O_PATH)", k.path));
        struct stat st {};
        if (::fstat(fd.get(), &st) != 0) return failure(fmt::format("fstat({})", k.path));
        kept.push_back({k.path, std::move(fd), !S_ISDIR(st.st_mode)});
    }
    if (::mount("tmpfs", dir, "tmpfs", MS_NOSUID | MS_NODEV, options) != 0)
        return failure(fmt::format("mount(tmpfs, {}, {})", dir, options));
    for (const auto& k : kept) {
        if (!make_path(k.path, k.file)) return failure(fmt::format("mkdir({})", k.path));
        const std::string source = fmt::format("/proc/thread-self/fd/{}", k.fd.get());
        if (::mount(source.c_str(), k.path.c_str(), nullptr, MS_BIND | MS_REC, nullptr) != 0)
            return failure(fmt::format("mount({}, {}, MS_BIND)", k.path, k.path));
    }
    return {};
}

/// Why the folder `k.path` names (in this mount namespace) is not the one
/// the testbed holds open, or "": a descriptor of another mount namespace
/// cannot be bound here, so the path is opened anew and its identity
/// compared with the held folder's.
std::string check_identity(const VisiblePath& k) {
    if (k.held < 0) return {};
    Fd fd(::open(k.path.c_str(), O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (!fd.valid()) return failure(fmt::format("open({}, O_PATH)", k.path));
    struct stat seen {};
    struct stat held {};
    if (::fstat(fd.get(), &seen) != 0 || ::fstat(k.held, &held) != 0)
        return failure(fmt::format("fstat({})", k.path));
    if (seen.st_dev != held.st_dev || seen.st_ino != held.st_ino)
        return fmt::format(
            "{} is no longer the folder the testbed made (renamed or replaced "
            "since): not shown to the node",
            k.path);
    return {};
}

/// Runs on a thread of its own: unshare(CLONE_NEWNS) changes only the
/// calling thread's mount namespace, never the testbed's.
std::string build(const std::string& hosts_file, const std::vector<VisiblePath>& keep, Fd& out) {
    if (::unshare(CLONE_NEWNS) != 0) return failure("unshare(CLONE_NEWNS)");
    // Nothing mounted here may propagate to the machine's namespace.
    if (::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0)
        return failure("mount(/, MS_REC|MS_PRIVATE)");
    if (auto why = fresh_tmpfs("/tmp", "mode=1777", keep); !why.empty()) return why;
    if (auto why = fresh_tmpfs("/run", "mode=0755", keep); !why.empty()) return why;
    struct stat st {};
    if (::lstat("/var/run", &st) == 0 && S_ISDIR(st.st_mode)) {
        if (auto why = fresh_tmpfs("/var/run", "mode=0755", keep); !why.empty()) return why;
    }
    // The folders the testbed holds open are checked where the node sees them.
    for (const auto& k : keep) {
        if (auto why = check_identity(k); !why.empty()) return why;
    }
    const Fd hosts(::open(hosts_file.c_str(), O_PATH | O_NOFOLLOW | O_CLOEXEC));
    if (!hosts.valid()) return failure(fmt::format("open({}, O_PATH|O_NOFOLLOW)", hosts_file));
    const std::string hosts_source = fmt::format("/proc/thread-self/fd/{}", hosts.get());
    if (::mount(hosts_source.c_str(), "/etc/hosts", nullptr, MS_BIND, nullptr) != 0)
        return failure(fmt::format("mount({}, /etc/hosts, MS_BIND)", hosts_file));
    out = Fd(::open("/proc/thread-self/ns/mnt", O_RDONLY | O_CLOEXEC));
    if (!out.valid()) return failure("open(/proc/thread-self/ns/mnt)");
    return {};
}

}  // namespace

Fd make_node_filesystem(const std::string& hosts_file, const std::vector<VisiblePath>& keep) {
    Fd ns;
    std::string why;
    std::thread([&] { why = build(hosts_file, keep, ns); }).join();
    if (!why.empty()) throw Error("a node's own filesystem: " + why);
    return ns;
}

std::string hosts_text(const std::vector<std::pair<std::string, std::string>>& names) {
    std::string out = "127.0.0.1\tlocalhost\n";
    for (const auto& [address, name] : names) out += fmt::format("{}\t{}\n", address, name);
    return out;
}

}  // namespace testbed
