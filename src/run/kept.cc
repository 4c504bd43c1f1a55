#include "run/kept.h"

#include <fmt/core.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "base/error.h"
#include "base/file.h"
#include "base/log.h"
#include "kernel/linux/netns.h"
#include "model/json_text.h"

namespace testbed {
namespace fs = std::filesystem;

namespace {

/// Field 22 of /proc/PID/stat (after the command, which may hold spaces).
unsigned long long start_time(int pid) {
    std::string why;
    const std::string text =
        read_regular_file(fmt::format("/proc/{}/stat", pid), 4096, &why).value_or("");
    const size_t close = text.rfind(')');
    if (close == std::string::npos) return 0;
    std::istringstream fields(text.substr(close + 2));
    std::string field;
    for (int i = 3; i <= 22 && fields >> field; ++i) {
        if (i == 22) return std::stoull(field);
    }
    return 0;
}

}  // namespace

Owner Owner::self() {
    return {static_cast<int>(::getpid()), start_time(static_cast<int>(::getpid()))};
}

bool Owner::alive() const {
    return pid > 0 && (::kill(pid, 0) == 0 || errno == EPERM) && start_time(pid) == start;
}

std::string handle_name(const std::string& run_id, const NamespacePlan& ns) {
    // Node names cannot hold '.', so a bridge's handle never equals a node's.
    if (ns.kind == NamespacePlan::Kind::bridge)
        return fmt::format("{}{}.{}", kHandlePrefix, run_id, ns.name);
    return fmt::format("{}{}-{}", kHandlePrefix, run_id, ns.name);
}

void save_kept(const KeptTopology& kept) {
    fs::create_directories(kStateDir);
    nlohmann::json j = {{"run_id", kept.run_id},
                        {"name", kept.name},
                        {"file", kept.file},
                        {"nodes", kept.nodes},
                        {"handles", kept.handles},
                        {"owner", {{"pid", kept.owner.pid}, {"start", kept.owner.start}}},
                        {"complete", kept.complete}};
    const std::string path = fmt::format("{}/{}.json", kStateDir, kept.run_id);
    std::ofstream out(path);
    out << json_text(j, 2) << "\n";
    if (!out) throw Error("cannot write " + path);
}

std::vector<KeptTopology> list_kept() {
    std::vector<KeptTopology> result;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(kStateDir, ec)) {
        if (entry.path().extension() != ".json") continue;
        std::ifstream in(entry.path());
        auto j = nlohmann::json::parse(in, nullptr, false);
        try {
            if (!j.is_object() || j.value("run_id", "").empty()) throw Error("no run id");
            KeptTopology k;
            k.run_id = j.at("run_id").get<std::string>();
            k.name = j.value("name", "");
            k.file = j.value("file", "");
            k.nodes = j.value("nodes", std::map<std::string, std::string>{});
            k.handles = j.value("handles", std::vector<std::string>{});
            const auto owner = j.value("owner", nlohmann::json::object());
            k.owner.pid = owner.value("pid", 0);
            k.owner.start = owner.value("start", 0ULL);
            k.complete = j.value("complete", true);
            result.push_back(std::move(k));
        } catch (const std::exception& e) {
            // Its handles may still hold namespaces: say so rather than hide it.
            log::warning(
                "state file {} cannot be read ({}); its namespaces stay until `testbed clean`",
                entry.path().string(), j.is_discarded() ? "not JSON" : e.what());
        }
    }
    return result;
}

KeptTopology find_kept(const std::string& run_id) {
    auto all = list_kept();
    if (!run_id.empty()) {
        for (auto& k : all) {
            if (k.run_id == run_id) return k;
        }
        throw Error(fmt::format("no kept topology with run id '{}' (see `testbed list`)", run_id));
    }
    if (all.empty()) throw Error("no kept topology; start one with `testbed up FILE`");
    if (all.size() > 1) {
        std::string ids;
        for (const auto& k : all) ids += fmt::format(" {} ({})", k.run_id, k.name);
        throw Error("several kept topologies; name one with --run:" + ids);
    }
    return all.front();
}

/// Removes the folders the testbed may have created, when nothing is left in
/// them (rmdir refuses otherwise, and a mount point stays too).
void remove_empty_folders() {
    ::rmdir(kStateDir);
    ::rmdir(kNetnsDir);
}

void remove_kept(const KeptTopology& kept, Kernel& kernel) {
    for (const auto& h : kept.handles) kernel.unname_namespace(h);
    std::error_code ec;
    fs::remove(fmt::format("{}/{}.json", kStateDir, kept.run_id), ec);
    remove_empty_folders();
}

std::vector<std::string> orphan_handles(const std::vector<KeptTopology>& kept) {
    std::set<std::string> named;
    for (const auto& k : kept) named.insert(k.handles.begin(), k.handles.end());
    std::vector<std::string> out;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(kNetnsDir, ec)) {
        const std::string name = entry.path().filename().string();
        if (name.rfind(kHandlePrefix, 0) == 0 && !named.count(name)) out.push_back(name);
    }
    std::sort(out.begin(), out.end());
    return out;
}

std::vector<std::string> clean_leftovers(Kernel& kernel) {
    const std::vector<KeptTopology> kept = list_kept();
    std::vector<std::string> removed;
    for (const auto& k : kept) {
        if (!k.broken()) continue;  // complete, or its `up` is still making it
        for (const auto& h : k.handles) {
            if (!fs::exists(fmt::format("{}/{}", kNetnsDir, h))) continue;
            kernel.unname_namespace(h);
            removed.push_back(fmt::format("{}/{}", kNetnsDir, h));
        }
        const std::string state = fmt::format("{}/{}.json", kStateDir, k.run_id);
        std::error_code ec;
        fs::remove(state, ec);
        removed.push_back(state);
    }
    for (const auto& h : orphan_handles(kept)) {
        kernel.unname_namespace(h);
        removed.push_back(fmt::format("{}/{}", kNetnsDir, h));
    }
    remove_empty_folders();
    return removed;
}

}  // namespace testbed
