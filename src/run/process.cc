#include "run/process.h"

#include <fcntl.h>
#include <fmt/core.h>
#include <fmt/ranges.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <boost/process.hpp>
#include <boost/process/extend.hpp>
#include <cstring>
#include <filesystem>

#include "base/error.h"
#include "base/interrupt.h"
#include "base/log.h"
#include "base/safe_file.h"
#include "run/node_fs.h"
#include "run/ready.h"

namespace testbed {
namespace bp = boost::process;
namespace {

std::string resolve_program(const std::string& name, const std::string& program_dir) {
    if (name.find('/') != std::string::npos) return name;
    std::string own = program_dir + "/" + name;
    if (::access(own.c_str(), X_OK) == 0) return own;
    return bp::search_path(name).string();
}

/// Boost.Process hook run in the child between fork and exec (only
/// async-signal-safe calls): die with the testbed, own process group, and
/// enter the node's namespace. Any failure aborts the start rather than run
/// the program in the machine's own namespace.
struct EnterNode : bp::extend::handler {
    int netns_fd = -1;
    pid_t parent = 0;
    bool own_group = true;      ///< false for interactive programs, which keep the terminal
    int out_fd = -1;            ///< becomes its stdout (a pipe to the testbed), if set
    int err_fd = -1;            ///< becomes its stderr
    int mntns_fd = -1;          ///< the node's own filesystem, if any
    const char* cwd = nullptr;  ///< where to be again after entering it

    template <typename Executor>
    void on_exec_setup(Executor& exec) const {
        auto fail = [&](const char* what) {
            exec.set_error(std::error_code(errno, std::system_category()), what);
        };
        if (::prctl(PR_SET_PDEATHSIG, SIGKILL) != 0) return fail("prctl(PR_SET_PDEATHSIG)");
        if (::getppid() != parent) ::_exit(127);  // the testbed is already gone
        if (own_group && ::setpgid(0, 0) != 0) return fail("setpgid");
        if (netns_fd >= 0 && ::setns(netns_fd, CLONE_NEWNET) != 0)
            return fail("setns(CLONE_NEWNET)");
        // Entering a mount namespace moves to its root: back to the working
        // directory, which node_fs keeps visible.
        if (mntns_fd >= 0 && ::setns(mntns_fd, CLONE_NEWNS) != 0) return fail("setns(CLONE_NEWNS)");
        if (mntns_fd >= 0 && cwd && ::chdir(cwd) != 0) return fail("chdir");
        // dup2 clears close-on-exec on the copy: only these two survive exec.
        if (out_fd >= 0 && ::dup2(out_fd, STDOUT_FILENO) < 0) return fail("dup2(stdout)");
        if (err_fd >= 0 && ::dup2(err_fd, STDERR_FILENO) < 0) return fail("dup2(stderr)");
        sigset_t none;
        sigemptyset(&none);
        ::sigprocmask(SIG_SETMASK, &none, nullptr);
        (void)::signal(SIGINT, SIG_DFL);
        (void)::signal(SIGTERM, SIG_DFL);
    }
};

/// A pipe, both ends close-on-exec: (read, write).
std::pair<Fd, Fd> make_pipe() {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) throw_errno("pipe2");
    return {Fd(fds[0]), Fd(fds[1])};
}

bp::environment build_env(const LaunchSpec& spec, const std::string& program_dir) {
    bp::environment env = boost::this_process::environment();
    // Scripts started by a step find the testbed's programs too.
    const std::string path = env.count("PATH") ? env["PATH"].to_string() : "/usr/bin:/bin";
    env["PATH"] = program_dir + ":" + path;
    env["TESTBED_NODE"] = spec.node;
    for (const auto& [k, v] : spec.env) env[k] = v;
    return env;
}

}  // namespace

std::unique_ptr<Process> Process::launch(const LaunchSpec& spec, const std::string& program_dir) {
    const std::string program = resolve_program(spec.argv.at(0), program_dir);
    if (program.empty()) {
        throw Error(fmt::format("start '{}' on '{}': program '{}' not found in {} or PATH",
                                spec.name, spec.node, spec.argv[0], program_dir));
    }
    // Through testbed-init: whatever the program forks dies with it, and
    // with the testbed (a PID namespace per program; see programs/init.cc).
    const std::string init = program_dir + "/testbed-init";
    std::vector<std::string> args;
    // A node with its own filesystem also gets its own /proc (testbed-init
    // mounts it in a mount namespace of the program's own).
    if (spec.mntns_fd >= 0) args.push_back("--private-proc");
    for (const int cap : spec.drop_capabilities) {
        args.push_back("--drop-cap");
        args.push_back(std::to_string(cap));
    }
    args.push_back(program);
    args.insert(args.end(), spec.argv.begin() + 1, spec.argv.end());
    // The logs are new files the testbed makes (never an existing path, never
    // through a link); the program writes to pipes the testbed reads.
    Fd out_log = create_new_file(spec.stdout_path);
    Fd err_log = create_new_file(spec.stderr_path);
    auto [out_read, out_write] = make_pipe();
    auto [err_read, err_write] = make_pipe();
    // The pump first: it compiles the watched patterns, so a bad one stops
    // the start before the program runs.
    std::unique_ptr<OutputPump> pump;
    try {
        pump = std::make_unique<OutputPump>(std::move(out_read), std::move(err_read),
                                            std::move(out_log), std::move(err_log),
                                            spec.output_limit, spec.watch);
    } catch (const Error& e) {
        throw Error(fmt::format("start '{}': {}", spec.name, e.what()));
    }
    std::unique_ptr<bp::child> child;
    try {
        EnterNode enter{{}, spec.netns_fd, ::getpid()};
        const std::string cwd = std::filesystem::current_path().string();
        enter.mntns_fd = spec.mntns_fd;
        enter.cwd = cwd.c_str();
        enter.out_fd = out_write.get();
        enter.err_fd = err_write.get();
        child =
            std::make_unique<bp::child>(bp::exe = init, bp::args = args,
                                        build_env(spec, program_dir), bp::std_in < bp::null, enter);
    } catch (const bp::process_error& e) {
        throw Error(fmt::format("start '{}' on '{}': {}: {}", spec.name, spec.node,
                                fmt::join(spec.argv, " "), e.what()));
    }
    // Only the program may hold the write ends now: the pipes end with it.
    out_write.reset();
    err_write.reset();
    const int pid = child->id();
    Fd pidfd(static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)));
    if (!pidfd.valid()) throw_errno(fmt::format("pidfd_open({})", pid));
    if (!register_emergency_group(pid)) {
        // A second Ctrl-C could not reach it: refuse to run it at all.
        ::kill(-pid, SIGKILL);
        ::kill(pid, SIGKILL);
        std::error_code ec;
        child->wait(ec);
        throw Error(fmt::format("start '{}' on '{}': more than {} processes at once", spec.name,
                                spec.node, kMaxEmergencyGroups));
    }
    log::debug("started '{}' on '{}' as pid {}: {}", spec.name, spec.node, pid,
               fmt::join(spec.argv, " "));
    return std::unique_ptr<Process>(
        new Process(spec, std::move(child), std::move(pidfd), std::move(pump)));
}

Process::Process(LaunchSpec spec, std::unique_ptr<bp::child> child, Fd pidfd,
                 std::unique_ptr<OutputPump> pump)
    : spec_(std::move(spec)),
      child_(std::move(child)),
      pid_(child_->id()),
      pidfd_(std::move(pidfd)),
      pump_(std::move(pump)) {}

ProcessOutput Process::output() {
    // Its PID namespace ended with it (testbed-init): nothing holds the
    // pipes, so their end comes at once; a moment is allowed for the rest.
    return pump_->finish(std::chrono::seconds(2));
}

Process::~Process() {
    // A destructor must not throw (teardown would end in std::terminate):
    // if stopping fails, SIGKILL the group and let the kernel reap it.
    try {
        if (!reaped_) stop(std::chrono::milliseconds(500));
    } catch (const std::exception& e) {
        log::warning("stopping '{}' (pid {}): {}; killed", spec_.name, pid_, e.what());
        ::kill(-pid_, SIGKILL);
    }
    unregister_emergency_group(pid_);
}

void Process::reap() {
    std::error_code ec;
    child_->wait(ec);
    reaped_ = true;
    const int raw = child_->native_exit_code();
    if (!ec && WIFEXITED(raw))
        status_.code = WEXITSTATUS(raw);
    else if (!ec && WIFSIGNALED(raw))
        status_.signal = WTERMSIG(raw);
    // Anything the program left running in its group goes with it.
    ::kill(-pid_, SIGKILL);
    unregister_emergency_group(pid_);
}

bool Process::port_bound(bool tcp, int port) const {
    return testbed::port_bound(pid_, tcp, port);
}

ProcessLauncher::ProcessLauncher() : program_dir_(own_program_dir()) {}

std::unique_ptr<RunningProcess> ProcessLauncher::launch(const LaunchSpec& spec) {
    return Process::launch(spec, program_dir_);
}

Fd ProcessLauncher::node_filesystem(const std::string& hosts_file,
                                    const std::vector<VisiblePath>& keep) {
    std::vector<VisiblePath> all = keep;
    all.push_back({program_dir_});
    all.push_back({std::filesystem::current_path().string()});
    return make_node_filesystem(hosts_file, all);
}

bool ProcessLauncher::can_find(const std::string& program) const {
    return !resolve_program(program, program_dir_).empty();
}

bool Process::wait_for(Duration timeout) {
    if (reaped_) return true;
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (true) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        pollfd p{pidfd_.get(), POLLIN, 0};
        // Wake at least every 50 ms so a Ctrl-C is noticed by the caller's loop.
        const int ms = static_cast<int>(std::clamp<int64_t>(left.count(), 0, 50));
        const int rc = ::poll(&p, 1, ms);
        if (rc > 0) {
            reap();
            return true;
        }
        if (rc < 0 && errno != EINTR) throw_errno("poll(pidfd)");
        if (std::chrono::steady_clock::now() >= deadline) return false;
        if (rc < 0) return false;  // interrupted by a signal: let the caller look
    }
}

void Process::stop(Duration grace) {
    if (reaped_) return;
    ::kill(-pid_, SIGTERM);
    if (wait_for(grace)) return;
    ::kill(-pid_, SIGKILL);
    wait_for(std::chrono::seconds(5));
}

int run_attached(int netns_fd, const std::vector<std::string>& argv,
                 const std::map<std::string, std::string>& env) {
    LaunchSpec spec;
    spec.name = argv.at(0);
    spec.env = env;
    const std::string dir = own_program_dir();
    const std::string program = resolve_program(argv.at(0), dir);
    if (program.empty())
        throw Error(fmt::format("program '{}' not found in {} or PATH", argv[0], dir));
    std::vector<std::string> args(argv.begin() + 1, argv.end());
    try {
        bp::child child(bp::exe = program, bp::args = args, build_env(spec, dir),
                        EnterNode{{}, netns_fd, ::getpid(), false});
        std::error_code ec;
        child.wait(ec);
        const int raw = child.native_exit_code();
        if (WIFSIGNALED(raw)) return 128 + WTERMSIG(raw);
        return WEXITSTATUS(raw);
    } catch (const bp::process_error& e) {
        throw Error(fmt::format("{}: {}", fmt::join(argv, " "), e.what()));
    }
}

std::string find_program(const std::string& name) {
    return resolve_program(name, own_program_dir());
}

std::string own_program_dir() {
    std::error_code ec;
    auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
    if (ec) return ".";
    return self.parent_path().string();
}

}  // namespace testbed
