#include "report/logs.h"

#include <dirent.h>
#include <fcntl.h>
#include <fmt/core.h>
#include <sys/stat.h>

#include <algorithm>

#include "base/fd.h"

namespace testbed {
namespace {

/// At most this many logs a run: a program under test can make files in
/// the log folder (it is bound into its node), and a report stays bounded.
constexpr size_t kMaxLogs = 256;

bool is_process_log(std::string_view name) {
    return name.ends_with(".stdout") || name.ends_with(".stderr");
}

/// The names of the process logs in the folder `dir`, sorted, at most kMaxLogs.
std::vector<std::string> log_names(int dir) {
    std::vector<std::string> names;
    const int copy = ::dup(dir);
    if (copy < 0) return names;
    DIR* listing = ::fdopendir(copy);
    if (!listing) {
        ::close(copy);
        return names;
    }
    while (const dirent* e = ::readdir(listing)) {
        if (is_process_log(e->d_name)) names.emplace_back(e->d_name);
    }
    ::closedir(listing);
    std::sort(names.begin(), names.end());
    if (names.size() > kMaxLogs) names.resize(kMaxLogs);
    return names;
}

/// The last `limit` bytes of the regular file `name` in `dir`, opened
/// without following a link and without blocking on a FIFO; why not, in
/// brackets, when it is something else.
std::string log_tail(int dir, const std::string& name, size_t limit) {
    const Fd fd(::openat(dir, name.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC));
    if (!fd.valid()) return "[not readable: a link, or gone]\n";
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode))
        return "[not a regular file: not read]\n";
    const auto size = static_cast<size_t>(st.st_size);
    const size_t from = size > limit ? size - limit : 0;
    std::string text(size - from, '\0');
    const ssize_t n = ::pread(fd.get(), text.data(), text.size(), static_cast<off_t>(from));
    text.resize(n > 0 ? static_cast<size_t>(n) : 0);
    if (from > 0) text = fmt::format("[... {} bytes]\n{}", from, text);
    return text;
}

}  // namespace

std::vector<LogFile> run_logs(const RunReport& r, size_t limit) {
    std::vector<LogFile> out;
    if (r.log_dir.empty()) return out;
    const Fd dir(::open(r.log_dir.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (!dir.valid()) return out;
    for (const auto& name : log_names(dir.get()))
        out.push_back({name, log_tail(dir.get(), name, limit)});
    return out;
}

}  // namespace testbed
