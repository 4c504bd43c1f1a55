#include "run/output_pump.h"

#include <fmt/core.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>

#include "base/bytes.h"
#include "base/error.h"
#include "base/file.h"

namespace testbed {
namespace {

/// The compiled patterns of the watches on one stream, and where each watch went.
std::vector<Regex> patterns_on(const std::vector<Watch>& watches, bool on_stderr,
                               std::vector<std::pair<size_t, size_t>>& where) {
    std::vector<Regex> out;
    where.resize(watches.size());
    for (size_t i = 0; i < watches.size(); ++i) {
        if (watches[i].on_stderr != on_stderr) continue;
        auto re = Regex::compile(watches[i].regex);
        if (!re) throw Error(fmt::format("the pattern /{}/ does not compile", watches[i].regex));
        where[i] = {on_stderr ? 1 : 0, out.size()};
        out.push_back(std::move(*re));
    }
    return out;
}

}  // namespace

OutputPump::OutputPump(Fd out, Fd err, Fd out_log, Fd err_log, size_t limit,
                       const std::vector<Watch>& watches)
    : limit_(limit),
      scans_{OutputScan(patterns_on(watches, false, where_)),
             OutputScan(patterns_on(watches, true, where_))},
      wake_(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) {
    if (!wake_.valid()) throw_errno("eventfd");
    streams_[0].pipe = std::move(out);
    streams_[0].log = std::move(out_log);
    streams_[1].pipe = std::move(err);
    streams_[1].log = std::move(err_log);
    thread_ = std::thread([this] { loop(); });
}

OutputPump::~OutputPump() {
    finish(Duration::zero());
}

bool OutputPump::matched(size_t i) const {
    std::lock_guard lock(mutex_);
    const auto [stream, k] = where_.at(i);
    return scans_[stream].matched(k);
}

void OutputPump::loop() {
    while (!stopping_.load() && (streams_[0].open || streams_[1].open)) {
        pollfd fds[3] = {{streams_[0].open ? streams_[0].pipe.get() : -1, POLLIN, 0},
                         {streams_[1].open ? streams_[1].pipe.get() : -1, POLLIN, 0},
                         {wake_.get(), POLLIN, 0}};
        if (::poll(fds, 3, -1) < 0 && errno != EINTR) break;
        for (int i = 0; i < 2; ++i) {
            if (fds[i].revents & (POLLIN | POLLHUP | POLLERR)) pour(streams_[i], i == 0);
        }
    }
    std::lock_guard lock(mutex_);
    ended_ = true;
    ended_cv_.notify_all();
}

void OutputPump::pour(Stream& s, bool is_stdout) {
    char buffer[65536];
    const ssize_t n = ::read(s.pipe.get(), buffer, sizeof buffer);
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) return;
    if (n <= 0) {
        s.open = false;
        return;
    }
    const size_t size = static_cast<size_t>(n);
    const size_t keep = std::min(size, limit_ - s.written);
    // A full disk loses log lines, not the scan: the log is best effort.
    (void)write_all(s.log.get(), std::string_view(buffer, keep));
    s.written += keep;
    if (keep < size && s.dropped == 0) {
        const std::string note = fmt::format(
            "\n[testbed: this log is cut at its limit of {}; the program printed more]\n",
            format_bytes(limit_));
        (void)write_all(s.log.get(), note);
    }
    s.dropped += size - keep;
    std::lock_guard lock(mutex_);
    scans_[is_stdout ? 0 : 1].feed(std::string_view(buffer, size));
}

ProcessOutput OutputPump::finish(Duration timeout) {
    if (finished_) return result_;
    finished_ = true;
    // The pipes end once every process holding them is gone; a program
    // that left a descendant holding them is not waited on past `timeout`.
    {
        std::unique_lock lock(mutex_);
        ended_cv_.wait_for(lock, timeout, [this] { return ended_; });
    }
    stopping_ = true;
    const uint64_t one = 1;
    (void)::write(wake_.get(), &one, sizeof one);
    if (thread_.joinable()) thread_.join();
    std::lock_guard lock(mutex_);
    for (auto& scan : scans_) scan.finish();
    result_.last_json = scans_[0].last_json();
    result_.tail = scans_[0].tail();
    result_.err_tail = scans_[1].tail();
    for (const auto& [stream, k] : where_) {
        result_.matched.push_back(scans_[stream].matched(k));
        result_.first_matches.push_back(scans_[stream].first_match(k));
    }
    for (int i = 0; i < 2; ++i) {
        if (streams_[i].dropped > 0)
            result_.note += fmt::format(
                "{}{} cut at {}: {} bytes more were dropped", result_.note.empty() ? "" : "; ",
                i == 0 ? "stdout" : "stderr", format_bytes(limit_), streams_[i].dropped);
    }
    return result_;
}

}  // namespace testbed
