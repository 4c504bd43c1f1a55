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

OutputPump::OutputPump(Fd out, Fd err, Fd out_log, Fd err_log, size_t limit,
                       const std::vector<Watch>& watches)
    : limit_(limit), scans_(watches), wake_(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) {
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
    return scans_.matched(i);
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
    scans_.feed(!is_stdout, std::string_view(buffer, size));
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
    scans_.finish();
    result_.last_json = scans_.stdout_scan().last_json();
    result_.tail = scans_.stdout_scan().tail();
    result_.err_tail = scans_.stderr_scan().tail();
    for (size_t i = 0; i < scans_.watches(); ++i) {
        result_.matched.push_back(scans_.matched(i));
        result_.first_matches.push_back(scans_.first_match(i));
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
