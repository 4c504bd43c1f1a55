#include "cli/inputs.h"

#include <fmt/core.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <set>
#include <sstream>

#include "base/log.h"
#include "expand/matrix.h"
#include "load/loader.h"
#include "run/preflight.h"
#include "validate/validate.h"

namespace testbed {

std::optional<std::vector<std::string>> topology_files(const std::vector<std::string>& paths) {
    std::vector<std::string> out;
    for (const auto& path : paths) {
        std::error_code ec;
        if (!std::filesystem::is_directory(path, ec)) {
            out.push_back(path);
            continue;
        }
        std::vector<std::string> found;
        for (const auto& e : std::filesystem::recursive_directory_iterator(path, ec)) {
            const auto ext = e.path().extension();
            if (e.is_regular_file() && (ext == ".yaml" || ext == ".yml"))
                found.push_back(e.path().string());
        }
        if (found.empty()) {
            // An empty folder is a mistake (a typo, a glob gone wrong), never "ok".
            log::error("{}: no .yaml or .yml file in this folder{}", path,
                       ec ? fmt::format(" ({})", ec.message()) : "");
            return std::nullopt;
        }
        std::sort(found.begin(), found.end());
        out.insert(out.end(), found.begin(), found.end());
    }
    return out;
}

std::optional<std::vector<Topology>> load_scenarios(const std::string& file) {
    Diagnostics diag(file);
    auto topo = load_topology_file(file, diag);
    std::string text = diag.format();
    bool errors = diag.has_errors();
    std::vector<Topology> cells;
    if (topo) {
        if (topo->name.empty()) topo->name = std::filesystem::path(file).stem().string();
        cells = expand_matrix(*topo);
        std::set<std::string> seen;
        for (auto& cell : cells) {
            Diagnostics d(file);
            validate_topology(cell, d);
            errors = errors || d.has_errors();
            std::istringstream lines(d.format());
            for (std::string line; std::getline(lines, line);) {
                if (seen.insert(line).second) text += line + "\n";
            }
        }
    }
    if (!text.empty()) fmt::print(stderr, "{}", text);
    if (!topo || errors || cells.empty()) return std::nullopt;
    return cells;
}

std::optional<Topology> load_valid(const std::string& file) {
    auto cells = load_scenarios(file);
    if (!cells) return std::nullopt;
    if (cells->size() > 1) {
        log::error(
            "{}: a matrix of {} scenarios; this command takes one (e.g. `testbed run "
            "--filter` runs some of them)",
            file, cells->size());
        return std::nullopt;
    }
    return std::move(cells->front());
}

bool require_root(const char* command) {
    if (::geteuid() == 0) return true;
    log::error(
        "`testbed {}` creates network namespaces and needs root (CAP_SYS_ADMIN, CAP_NET_ADMIN); "
        "run it with sudo",
        command);
    return false;
}

bool kernel_can_run(const std::string& file, const Topology& topo, Kernel& kernel,
                    const char* kind) {
    const auto missing = check_kernel_features(topo, kernel);
    for (const auto& m : missing)
        fmt::print(stderr, "{}: {}: this machine cannot run it: {}\n", file, kind, m);
    return missing.empty();
}

}  // namespace testbed
