// `files:`: files written into the run's own folder before any step
// starts, each a path relative to that folder and its text (or
// { content, mode }).

#include <fmt/core.h>

#include "base/safe_file.h"
#include "load/sections.h"

namespace testbed::sections {
namespace {

constexpr size_t kMaxFiles = 256;
constexpr size_t kMaxPath = 1024;

/// A path inside the run folder: relative, each part a plain name.
bool valid_relative_path(const std::string& path, std::string& why) {
    if (path.empty() || path.size() > kMaxPath) {
        why = fmt::format("expected a path of 1 to {} characters", kMaxPath);
        return false;
    }
    if (path.front() == '/') {
        why = "expected a path relative to the run's folder, not an absolute one";
        return false;
    }
    size_t start = 0;
    while (start <= path.size()) {
        const size_t end = std::min(path.find('/', start), path.size());
        const std::string part = path.substr(start, end - start);
        if (part.empty() || part == "." || part == "..") {
            why = "expected plain names between slashes (no empty part, '.' or '..')";
            return false;
        }
        for (const char c : part) {
            if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
                why = "expected no control characters";
                return false;
            }
        }
        start = end + 1;
    }
    return true;
}

void read_file(YamlReader& r, const YAML::Node& value, const std::string& what, FileSpec& f) {
    if (!value.IsMap()) {
        f.content = r.scalar(value, what, "the file's text, or { content: TEXT, mode: 0755 }");
        return;
    }
    r.check_keys(value, {"content", "mode"}, what);
    if (auto c = value["content"])
        f.content = r.scalar(c, what + " content", "the file's text");
    else
        r.diag().error(loc_of(value), what + ": no 'content'; expected the file's text");
    if (auto m = value["mode"]) {
        const auto text = r.word(m, what + " mode", "an octal mode like 0755");
        const auto mode = text ? parse_file_mode(*text, 0777) : std::nullopt;
        if (text && !mode)
            r.diag().error(loc_of(m), fmt::format("{} mode: expected an octal mode like 0644 or "
                                                  "0755 (no set-id or sticky bits), found '{}'",
                                                  what, *text));
        f.mode = mode.value_or(f.mode);
    }
}

}  // namespace

void read_files(YamlReader& r, const YAML::Node& node, Topology& topo) {
    if (!r.expect_map(node, "files", "a map of path (in the run's folder) to the file's text"))
        return;
    for (const auto& entry : node) {
        FileSpec f;
        f.path = entry.first.Scalar();
        f.loc = loc_of(entry.first);
        const std::string what = fmt::format("files '{}'", f.path);
        std::string why;
        if (!valid_relative_path(f.path, why)) {
            r.diag().error(f.loc, fmt::format("{}: {}", what, why));
            continue;
        }
        if (topo.files.size() == kMaxFiles) {
            r.diag().error(f.loc, fmt::format("files: more than {}", kMaxFiles));
            return;
        }
        // A file cannot also be a folder of another.
        for (const auto& other : topo.files) {
            const bool mine_shorter = f.path.size() < other.path.size();
            const std::string& shorter = mine_shorter ? f.path : other.path;
            const std::string& longer = mine_shorter ? other.path : f.path;
            if (longer.starts_with(shorter + "/"))
                r.diag().error(f.loc, fmt::format("{}: '{}' would be a file and a folder (with "
                                                  "'{}', line {})",
                                                  what, shorter, other.path, other.loc.line));
        }
        read_file(r, entry.second, what, f);
        topo.files.push_back(std::move(f));
    }
}

}  // namespace testbed::sections
