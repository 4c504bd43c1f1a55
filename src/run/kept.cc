#include "run/kept.h"

#include <fmt/core.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "base/error.h"
#include "base/log.h"
#include "kernel/linux/netns.h"

namespace testbed {
namespace fs = std::filesystem;

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
                        {"handles", kept.handles}};
    const std::string path = fmt::format("{}/{}.json", kStateDir, kept.run_id);
    std::ofstream out(path);
    out << j.dump(2) << "\n";
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

std::vector<std::string> clean_leftovers(Kernel& kernel) {
    std::vector<std::string> removed;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(kNetnsDir, ec)) {
        const std::string name = entry.path().filename().string();
        if (name.rfind(kHandlePrefix, 0) != 0) continue;
        kernel.unname_namespace(name);
        removed.push_back(fmt::format("{}/{}", kNetnsDir, name));
    }
    for (const auto& entry : fs::directory_iterator(kStateDir, ec)) {
        if (entry.path().extension() != ".json") continue;
        fs::remove(entry.path(), ec);
        removed.push_back(entry.path().string());
    }
    remove_empty_folders();
    return removed;
}

}  // namespace testbed
