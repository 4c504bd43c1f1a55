// testbed-init [--private-proc] [--drop-cap N]... PROGRAM ARGS...: runs a program so that
// nothing it starts can outlive it or the testbed. The testbed starts every
// step's program through it. With --private-proc (a node with a filesystem
// of its own) the program also gets a /proc of its PID namespace, mounted in
// a mount namespace of its own made private first, so nothing propagates
// to the node's or the machine's.
//
//   testbed ── testbed-init (parent dies -> SIGKILL)
//                 └── init: PID 1 of a new PID namespace (parent dies -> SIGKILL)
//                       └── PROGRAM and whatever it forks
//
// When the init exits, the kernel kills every process in its PID namespace;
// the init exits when PROGRAM does. SIGTERM, SIGINT and SIGHUP are passed on
// to PROGRAM, and PROGRAM's exit status is reproduced exactly (code or
// signal), so the testbed sees what PROGRAM did. --drop-cap N (a start
// step's drop-capabilities) starts PROGRAM without capability N, though it
// runs as root: out of the bounding set, so exec cannot grant it again.

#include <fcntl.h>
#include <linux/capability.h>
#include <sched.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <initializer_list>

namespace {

volatile sig_atomic_t g_forward_to = 0;

void forward(int sig) {
    if (g_forward_to > 0) ::kill(g_forward_to, sig);
}

void install_forwarding() {
    struct sigaction sa {};
    sa.sa_handler = forward;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    for (int sig : {SIGTERM, SIGINT, SIGHUP}) sigaction(sig, &sa, nullptr);
}

/// Waits for `pid`, reaping any other child on the way (PID 1 adopts orphans).
int wait_for(pid_t pid) {
    while (true) {
        int status = 0;
        const pid_t r = ::waitpid(-1, &status, 0);
        if (r == pid) return status;
        if (r < 0 && errno != EINTR) return status;
    }
}

[[noreturn]] void reproduce(int status) {
    if (WIFSIGNALED(status)) {
        (void)::signal(WTERMSIG(status), SIG_DFL);
        (void)::raise(WTERMSIG(status));
    }
    ::_exit(WIFEXITED(status) ? WEXITSTATUS(status) : 1);
}

/// The capabilities PROGRAM starts without (--drop-cap).
struct Dropped {
    static constexpr int kMax = 16;
    int caps[kMax] = {};
    int count = 0;
};

[[noreturn]] void fail_start(const char* call, int cap) {
    (void)std::fprintf(stderr, "testbed-init: %s(%d): %s\n", call, cap, std::strerror(errno));
    ::_exit(126);
}

/// Out of the bounding set (a root exec would grant it again otherwise),
/// the ambient set, and this process's own sets.
void drop_capabilities(const Dropped& dropped) {
    if (dropped.count == 0) return;
    for (int i = 0; i < dropped.count; ++i) {
        if (::prctl(PR_CAPBSET_DROP, dropped.caps[i], 0, 0, 0) != 0)
            fail_start("prctl(PR_CAPBSET_DROP)", dropped.caps[i]);
    }
    if (::prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) != 0)
        fail_start("prctl(PR_CAP_AMBIENT_CLEAR_ALL)", 0);
    __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
    __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3] = {};
    if (::syscall(SYS_capget, &header, data) != 0) fail_start("capget", 0);
    for (int i = 0; i < dropped.count; ++i) {
        const int cap = dropped.caps[i];
        const unsigned bit = 1U << (cap % 32);
        auto& word = data[cap / 32];
        word.effective &= ~bit;
        word.permitted &= ~bit;
        word.inheritable &= ~bit;
    }
    if (::syscall(SYS_capset, &header, data) != 0) fail_start("capset", 0);
}

[[noreturn]] void run_program(char** argv, const Dropped& dropped) {
    drop_capabilities(dropped);
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    for (int sig : {SIGTERM, SIGINT, SIGHUP}) (void)::signal(sig, SIG_DFL);
    ::execvp(argv[0], argv);
    (void)std::fprintf(stderr, "testbed-init: execvp(%s): %s\n", argv[0], std::strerror(errno));
    ::_exit(127);
}

/// A /proc that shows this PID namespace, in a mount namespace of this
/// process's own. Any failure ends the start: never mount where it could
/// be seen outside.
void mount_private_proc() {
    auto fail = [](const char* call) {
        (void)std::fprintf(stderr, "testbed-init: %s: %s\n", call, std::strerror(errno));
        ::_exit(126);
    };
    if (::unshare(CLONE_NEWNS) != 0) fail("unshare(CLONE_NEWNS)");
    if (::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0)
        fail("mount(/, MS_REC|MS_PRIVATE)");
    if (::mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, nullptr) != 0)
        fail("mount(proc, /proc)");
}

/// PID 1 of the new namespace: start the program, pass signals on, report
/// its raw status through `report_fd`, exit (which ends the namespace).
[[noreturn]] void namespace_init(char** argv, int report_fd, bool private_proc,
                                 const Dropped& dropped) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (private_proc) mount_private_proc();
    const pid_t program = ::fork();
    if (program < 0) ::_exit(126);
    if (program == 0) run_program(argv, dropped);
    g_forward_to = program;
    install_forwarding();
    const int status = wait_for(program);
    (void)!::write(report_fd, &status, sizeof status);
    ::_exit(0);
}

}  // namespace

int main(int argc, char** argv) {
    bool private_proc = false;
    Dropped dropped;
    while (argc > 1 && argv[1][0] == '-' && argv[1][1] == '-') {
        if (std::strcmp(argv[1], "--private-proc") == 0) {
            private_proc = true;
        } else if (std::strcmp(argv[1], "--drop-cap") == 0 && argc > 2 &&
                   dropped.count < Dropped::kMax) {
            char* end = nullptr;
            const long cap = std::strtol(argv[2], &end, 10);
            if (*end != '\0' || cap < 0 || cap > CAP_LAST_CAP) break;
            dropped.caps[dropped.count++] = static_cast<int>(cap);
            --argc;
            ++argv;
        } else {
            break;
        }
        --argc;
        ++argv;
    }
    if (argc < 2 || argv[1][0] == '-') {
        (void)std::fprintf(
            stderr, "usage: testbed-init [--private-proc] [--drop-cap N]... PROGRAM [ARGS...]\n");
        return 2;
    }
    // Without a PID namespace (no CAP_SYS_ADMIN), fall back to running the
    // program directly: the testbed still kills its process group. (Then
    // there is no node filesystem either: it needs the same capability.)
    if (::unshare(CLONE_NEWPID) != 0) run_program(argv + 1, dropped);
    int report[2];
    if (::pipe2(report, O_CLOEXEC) != 0) {
        std::perror("testbed-init: pipe2");
        return 126;
    }
    const pid_t init = ::fork();
    if (init < 0) {
        std::perror("testbed-init: fork");
        return 126;
    }
    if (init == 0) {
        ::close(report[0]);
        namespace_init(argv + 1, report[1], private_proc, dropped);
    }
    ::close(report[1]);
    g_forward_to = init;
    install_forwarding();
    const int init_status = wait_for(init);
    int status = 0;
    if (::read(report[0], &status, sizeof status) != static_cast<ssize_t>(sizeof status))
        status = init_status;
    reproduce(status);
}
