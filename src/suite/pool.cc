#include "suite/pool.h"

#include <fcntl.h>
#include <fmt/core.h>
#include <poll.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>

#include "base/error.h"
#include "base/file.h"
#include "base/interrupt.h"
#include "model/json_text.h"
#include "report/json.h"

namespace testbed {
namespace {

/// One scenario run in a child process: its report comes back as JSON on a pipe.
struct Child {
    pid_t pid = -1;
    int pipe = -1;
    size_t scenario = 0;
    std::string output;
};

Child start_child(const Topology& topo, size_t index, const RunOptions& options,
                  const ScenarioRunner& runner) {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) throw_errno("pipe2");
    const pid_t pid = ::fork();
    if (pid < 0) {
        ::close(fds[0]);
        ::close(fds[1]);
        throw_errno("fork");
    }
    if (pid == 0) {
        ::close(fds[0]);
        // Dies with the parent; its own programs die with it in turn.
        ::prctl(PR_SET_PDEATHSIG, SIGKILL);
        RunOptions mine = options;
        mine.run_id.clear();  // each scenario its own run-scoped names
        const bool sent = write_all(fds[1], json_text(report_to_json(runner(topo, mine))));
        ::_exit(sent ? 0 : 1);
    }
    ::close(fds[1]);
    return Child{pid, fds[0], index, {}};
}

/// Reaps the child and turns what it sent into its report.
RunReport finish_child(Child& c, const Topology& topo) {
    int status = 0;
    while (::waitpid(c.pid, &status, 0) < 0 && errno == EINTR) {
    }
    ::close(c.pipe);
    try {
        return report_from_json(nlohmann::json::parse(c.output));
    } catch (const std::exception&) {
        RunReport r;
        r.name = topo.name;
        r.errors.push_back(fmt::format("the scenario's process ended without a report ({})",
                                       WIFSIGNALED(status)
                                           ? fmt::format("signal {}", WTERMSIG(status))
                                           : fmt::format("exit {}", WEXITSTATUS(status))));
        return r;
    }
}

/// Reads what the child sent; true once its stream ended (EOF or an error
/// other than an interruption).
bool read_some(Child& c) {
    char buffer[65536];
    const ssize_t n = ::read(c.pipe, buffer, sizeof buffer);
    if (n > 0) {
        c.output.append(buffer, static_cast<size_t>(n));
        return false;
    }
    return n == 0 || (errno != EINTR && errno != EAGAIN);
}

}  // namespace

void run_in_children(const std::vector<const Topology*>& scenarios,
                     const std::vector<size_t>& queue, int jobs, const RunOptions& options,
                     const ScenarioRunner& runner, std::vector<ScenarioResult>& results,
                     SuiteStatus& status) {
    size_t next = 0;
    std::vector<Child> running;
    auto finish = [&](size_t k) {
        const size_t i = running[k].scenario;
        RunReport report = finish_child(running[k], *scenarios[i]);
        status.done(report);
        results[i].runs.push_back(std::move(report));
        running.erase(running.begin() + static_cast<std::ptrdiff_t>(k));
    };
    while (next < queue.size() || !running.empty()) {
        while (!interrupted() && next < queue.size() &&
               running.size() < static_cast<size_t>(jobs)) {
            const size_t i = queue[next++];
            status.started(*scenarios[i]);
            running.push_back(start_child(*scenarios[i], i, options, runner));
        }
        if (interrupted() && running.empty()) break;
        std::vector<pollfd> fds;
        fds.reserve(running.size());
        for (const auto& c : running) fds.push_back({c.pipe, POLLIN, 0});
        if (::poll(fds.data(), fds.size(), 200) < 0 && errno != EINTR) {
            // Nothing more can be read: end the children rather than leave them unreaped.
            const std::string why = fmt::format("poll: {}", std::strerror(errno));
            for (const auto& c : running) ::kill(c.pid, SIGKILL);
            while (!running.empty()) {
                running.back().output.clear();
                finish(running.size() - 1);
            }
            throw Error(why);
        }
        status.tick();
        for (size_t k = running.size(); k-- > 0;) {
            if ((fds[k].revents & (POLLIN | POLLHUP | POLLERR)) && read_some(running[k])) finish(k);
        }
    }
}

}  // namespace testbed
