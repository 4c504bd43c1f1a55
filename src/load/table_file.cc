#include "load/table_file.h"

#include <fmt/core.h>

#include <cctype>
#include <filesystem>
#include <sstream>

#include "base/file.h"
#include "base/utf8.h"
#include "load/loader.h"

namespace testbed::sections {

std::optional<std::vector<TableLine>> read_csv_lines(YamlReader& r, const std::string& path,
                                                     const YAML::Node& at,
                                                     const std::string& what) {
    const std::string folder = std::filesystem::path(r.diag().file()).parent_path().string();
    const std::filesystem::path full = std::filesystem::path(folder) / path;
    std::string why;
    const auto text = read_file_beneath(folder, path, kMaxTopologyFile, &why);
    if (!text) {
        r.diag().error(loc_of(at),
                       fmt::format("{} file: cannot read '{}': {}", what, full.string(), why));
        return std::nullopt;
    }
    if (const auto bad = first_invalid_utf8(*text)) {
        const TextPosition p = position_of(*text, *bad);
        r.diag().error(loc_of(at), fmt::format("{} file: '{}' line {} column {}: not valid UTF-8",
                                               what, full.string(), p.line, p.column));
        return std::nullopt;
    }
    auto trim = [](std::string cell) {
        while (!cell.empty() && std::isspace(static_cast<unsigned char>(cell.back())))
            cell.pop_back();
        size_t start = 0;
        while (start < cell.size() && std::isspace(static_cast<unsigned char>(cell[start])))
            ++start;
        return cell.substr(start);
    };
    std::vector<TableLine> lines;
    std::istringstream in(*text);
    std::string line;
    for (size_t number = 1; std::getline(in, line); ++number) {
        if (line.empty() || line[0] == '#') continue;
        std::vector<std::string> cells;
        std::stringstream ss(line);
        std::string cell;
        while (std::getline(ss, cell, ',')) cells.push_back(trim(cell));
        if (!cells.empty())
            lines.push_back({fmt::format("{} line {}", path, number), std::move(cells)});
    }
    return lines;
}

}  // namespace testbed::sections
