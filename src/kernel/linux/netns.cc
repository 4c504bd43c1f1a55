#include "kernel/linux/netns.h"

#include <fcntl.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>

#include "base/error.h"

namespace testbed {
namespace {

Fd open_current_netns() {
    Fd fd(::open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC));
    if (!fd.valid()) throw_errno("open(/proc/thread-self/ns/net)");
    return fd;
}

std::string handle_path(const std::string& name) {
    return std::string(kNetnsDir) + "/" + name;
}

}  // namespace

NetnsScope::NetnsScope(int target_fd) : original_(open_current_netns()) {
    if (::setns(target_fd, CLONE_NEWNET) != 0) throw_errno("setns(CLONE_NEWNET)");
}

NetnsScope::~NetnsScope() {
    if (::setns(original_.get(), CLONE_NEWNET) != 0) {
        (void)std::fprintf(stderr, "fatal: setns back to the original namespace: %s\n",
                           std::strerror(errno));
        std::abort();
    }
}

Fd create_netns(const std::function<void()>& inside) {
    Fd original = open_current_netns();
    if (::unshare(CLONE_NEWNET) != 0) {
        throw_errno(errno == EPERM ? "unshare(CLONE_NEWNET) (needs root: CAP_SYS_ADMIN)"
                                   : "unshare(CLONE_NEWNET)");
    }
    Fd created(::open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC));
    const int saved = errno;
    std::exception_ptr failure;
    if (created.valid() && inside) {
        try {
            inside();
        } catch (...) {
            failure = std::current_exception();
        }
    }
    if (::setns(original.get(), CLONE_NEWNET) != 0) {
        (void)std::fprintf(stderr, "fatal: setns back to the original namespace: %s\n",
                           std::strerror(errno));
        std::abort();
    }
    if (failure) std::rethrow_exception(failure);
    errno = saved;
    if (!created.valid()) throw_errno("open(/proc/thread-self/ns/net) after unshare");
    return created;
}

Fd open_named_netns(const std::string& name) {
    const std::string path = handle_path(name);
    Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd.valid()) throw_errno("open(" + path + ")");
    return fd;
}

void name_netns(int fd, const std::string& name) {
    if (::mkdir(kNetnsDir, 0755) != 0 && errno != EEXIST)
        throw_errno(std::string("mkdir(") + kNetnsDir + ")");
    const std::string path = handle_path(name);
    Fd file(::open(path.c_str(), O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0444));
    if (!file.valid()) throw_errno("open(" + path + ", O_CREAT|O_EXCL)");
    file.reset();
    const std::string source = "/proc/self/fd/" + std::to_string(fd);
    if (::mount(source.c_str(), path.c_str(), "none", MS_BIND, nullptr) != 0) {
        const int saved = errno;
        ::unlink(path.c_str());
        errno = saved;
        throw_errno("mount(" + source + ", " + path + ", MS_BIND)");
    }
}

void unname_netns(const std::string& name) {
    const std::string path = handle_path(name);
    if (::umount2(path.c_str(), MNT_DETACH) != 0 && errno != EINVAL && errno != ENOENT) {
        throw_errno("umount2(" + path + ", MNT_DETACH)");
    }
    if (::unlink(path.c_str()) != 0 && errno != ENOENT) throw_errno("unlink(" + path + ")");
}

}  // namespace testbed
