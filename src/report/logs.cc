#include "report/logs.h"

#include <fmt/core.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace testbed {

std::vector<LogFile> run_logs(const RunReport& r, size_t limit) {
    std::vector<LogFile> out;
    if (r.log_dir.empty()) return out;
    std::error_code ec;
    std::vector<std::filesystem::path> files;
    for (const auto& e : std::filesystem::directory_iterator(r.log_dir, ec)) {
        if (e.path().extension() != ".pcap") files.push_back(e.path());  // binary, linked apart
    }
    std::sort(files.begin(), files.end());
    for (const auto& f : files) {
        std::ifstream in(f, std::ios::binary);
        std::ostringstream buffer;
        buffer << in.rdbuf();
        std::string text = buffer.str();
        if (text.size() > limit)
            text = fmt::format("[... {} bytes]\n{}", text.size() - limit,
                               text.substr(text.size() - limit));
        out.push_back({f.filename().string(), std::move(text)});
    }
    return out;
}

}  // namespace testbed
