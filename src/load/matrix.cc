// `matrix:`: axes (lists of values) and tables (inline or CSV).

#include <fmt/core.h>

#include <algorithm>
#include <filesystem>
#include <sstream>

#include "base/file.h"
#include "base/utf8.h"
#include "load/loader.h"
#include "load/sections.h"

namespace testbed::sections {

namespace {

constexpr size_t kMaxCells = 1024;

bool is_variable_name(const std::string& name) {
    return !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_';
    });
}

std::optional<MatrixAxis> read_axis(YamlReader& r, const std::string& key,
                                    const YAML::Node& key_node, const YAML::Node& values,
                                    const Topology& topo) {
    MatrixAxis axis;
    axis.key = key;
    axis.loc = loc_of(key_node);
    const bool nat_axis = key.size() > 4 && key.ends_with(".nat");
    for (const char* field : {"mapping", "filtering"}) {
        const std::string suffix = std::string(".nat.") + field;
        if (key.size() > suffix.size() && key.ends_with(suffix)) {
            axis.router = key.substr(0, key.size() - suffix.size());
            axis.field = field;
        }
    }
    if (!axis.field.empty()) {
        if (!topo.find_router(axis.router)) {
            r.diag().error(axis.loc,
                           fmt::format("matrix {}: unknown router '{}'", key, axis.router));
            return std::nullopt;
        }
        for (const auto& v : values) {
            if (auto b = r.behaviour(v, fmt::format("matrix {}", key), axis.field == "filtering")) {
                axis.labels.push_back(v.Scalar());
                axis.behaviours.push_back(*b);
            }
        }
        return axis;
    }
    if (nat_axis) {
        axis.router = key.substr(0, key.size() - 4);
        if (!topo.find_router(axis.router)) {
            r.diag().error(axis.loc,
                           fmt::format("matrix {}: unknown router '{}'", key, axis.router));
            return std::nullopt;
        }
    } else if (!is_variable_name(key)) {
        r.diag().error(axis.loc,
                       fmt::format("matrix {}: expected ROUTER.nat, ROUTER.nat.mapping, "
                                   "ROUTER.nat.filtering or a variable name (letters, digits, "
                                   "'-', '_')",
                                   key));
        return std::nullopt;
    }
    if (values.size() == 0) {
        r.diag().error(loc_of(values), fmt::format("matrix {}: expected at least one value", key));
        return std::nullopt;
    }
    for (const auto& v : values) {
        if (nat_axis) {
            auto spec = read_nat(r, v, fmt::format("matrix {}", key));
            if (!spec) continue;
            axis.labels.push_back(spec->preset.empty() ? short_label(spec->behaviour)
                                                       : spec->preset);
            axis.nats.push_back(*spec);
        } else {
            axis.labels.push_back(r.scalar(v, fmt::format("matrix {}", key), "a value"));
        }
    }
    return axis;
}

const MatrixAxis* axis_named(YamlReader& r, const Matrix& m, const std::string& key,
                             const YAML::Node& at, const std::string& what) {
    for (const auto& a : m.axes) {
        if (a.key == key) return &a;
    }
    r.diag().error(loc_of(at), fmt::format("{}: '{}' is not an axis of the matrix", what, key));
    return nullptr;
}

/// The cells of a CSV table. With two axes the first row holds a corner
/// cell and the column values; with one (`cols` null) there is no header
/// and every line is a row value and its cell.
bool read_csv_grid(YamlReader& r, const std::string& path, const MatrixAxis& rows,
                   const MatrixAxis* cols, const YAML::Node& at, const std::string& what,
                   std::vector<std::vector<std::string>>& grid) {
    const std::filesystem::path full = std::filesystem::path(r.diag().file()).parent_path() / path;
    std::string why;
    const auto text = read_regular_file(full.string(), kMaxTopologyFile, &why);
    if (!text) {
        r.diag().error(loc_of(at),
                       fmt::format("{} file: cannot read '{}': {}", what, full.string(), why));
        return false;
    }
    if (const auto bad = first_invalid_utf8(*text)) {
        const TextPosition p = position_of(*text, *bad);
        r.diag().error(loc_of(at), fmt::format("{} file: '{}' line {} column {}: not valid UTF-8",
                                               what, full.string(), p.line, p.column));
        return false;
    }
    std::istringstream in(*text);
    auto split = [](const std::string& line) {
        std::vector<std::string> out;
        std::stringstream ss(line);
        std::string cell;
        while (std::getline(ss, cell, ',')) {
            while (!cell.empty() && std::isspace(static_cast<unsigned char>(cell.back())))
                cell.pop_back();
            size_t start = 0;
            while (start < cell.size() && std::isspace(static_cast<unsigned char>(cell[start])))
                ++start;
            out.push_back(cell.substr(start));
        }
        return out;
    };
    std::string line;
    std::vector<std::string> header;
    std::map<std::string, std::vector<std::string>> by_row;
    while (std::getline(in, line)) {
        if (line.empty() || line[0] == '#') continue;
        auto cells = split(line);
        if (cols && header.empty()) {
            header = cells;
            continue;
        }
        if (cells.empty()) continue;
        by_row[cells[0]] = std::vector<std::string>(cells.begin() + 1, cells.end());
    }
    // Columns and rows are matched by label, so the file may list them in any order.
    for (const auto& row_label : rows.labels) {
        auto it = by_row.find(row_label);
        if (it == by_row.end()) {
            r.diag().error(loc_of(at),
                           fmt::format("{} file {}: no row for '{}'", what, path, row_label));
            return false;
        }
        std::vector<std::string> row;
        if (!cols) {
            if (it->second.size() != 1) {
                r.diag().error(loc_of(at),
                               fmt::format("{} file {}: the row for '{}' has {} values; expected "
                                           "one (a table of one axis)",
                                           what, path, row_label, it->second.size()));
                return false;
            }
            grid.push_back(it->second);
            continue;
        }
        for (const auto& col_label : cols->labels) {
            auto h = std::find(header.begin() + (header.empty() ? 0 : 1), header.end(), col_label);
            if (h == header.end()) {
                r.diag().error(loc_of(at), fmt::format("{} file {}: no column for '{}'", what, path,
                                                       col_label));
                return false;
            }
            const size_t index = static_cast<size_t>(h - header.begin()) - 1;
            row.push_back(index < it->second.size() ? it->second[index] : "");
        }
        grid.push_back(row);
    }
    return true;
}

/// A table: `rows` and `columns` name two axes (or `rows` alone one);
/// `values` is a list of rows (with one axis, a list of values), or `file`
/// names a CSV (read_csv_grid).
std::optional<MatrixTable> read_table(YamlReader& r, const std::string& name,
                                      const YAML::Node& node, const Matrix& m) {
    const std::string what = fmt::format("matrix {}", name);
    r.check_keys(node, {"rows", "columns", "values", "file"}, what);
    MatrixTable t;
    t.name = name;
    t.loc = loc_of(node);
    if (!is_variable_name(name)) {
        r.diag().error(
            t.loc, fmt::format("{}: expected a variable name (letters, digits, '-', '_')", what));
        return std::nullopt;
    }
    if (!node["rows"] || (!node["values"] == !node["file"])) {
        r.diag().error(
            t.loc,
            fmt::format("{}: expected rows, columns (for two axes), and values or file", what));
        return std::nullopt;
    }
    t.rows = r.word(node["rows"], what + " rows", "an axis").value_or("");
    const MatrixAxis* rows = axis_named(r, m, t.rows, node["rows"], what + " rows");
    const MatrixAxis* cols = nullptr;
    if (node["columns"]) {
        t.columns = r.word(node["columns"], what + " columns", "an axis").value_or("");
        cols = axis_named(r, m, t.columns, node["columns"], what + " columns");
        if (!cols) return std::nullopt;
    }
    if (!rows) return std::nullopt;
    std::vector<std::vector<std::string>> grid;
    SourceLoc grid_loc = t.loc;
    if (auto v = node["values"]) {
        grid_loc = loc_of(v);
        if (!v.IsSequence()) {
            r.diag().error(grid_loc, fmt::format("{} values: expected a list of rows", what));
            return std::nullopt;
        }
        for (const auto& row : v) {
            std::vector<std::string> cells;
            if (!cols) {
                cells.push_back(r.scalar(row, what + " values", "a value"));
            } else if (row.IsSequence()) {
                for (const auto& c : row) cells.push_back(r.scalar(c, what + " values", "a value"));
            } else {
                r.diag().error(loc_of(row),
                               fmt::format("{} values: expected a row like [direct, relay]", what));
            }
            grid.push_back(cells);
        }
    } else {
        const std::string path =
            r.word(node["file"], what + " file", "a CSV file name").value_or("");
        if (!read_csv_grid(r, path, *rows, cols, node["file"], what, grid)) return std::nullopt;
    }
    if (grid.size() != rows->labels.size()) {
        r.diag().error(grid_loc, fmt::format("{}: {} rows; expected {}, one per value of {}", what,
                                             grid.size(), rows->labels.size(), t.rows));
        return std::nullopt;
    }
    const size_t width = cols ? cols->labels.size() : 1;
    for (size_t row = 0; row < grid.size(); ++row) {
        if (grid[row].size() != width) {
            r.diag().error(grid_loc,
                           fmt::format("{}: row {} has {} values; expected {}, one per value of {}",
                                       what, row + 1, grid[row].size(), width, t.columns));
            return std::nullopt;
        }
        for (size_t c = 0; c < grid[row].size(); ++c)
            t.values[{rows->labels[row], cols ? cols->labels[c] : ""}] = grid[row][c];
    }
    return t;
}

}  // namespace

/// `matrix:`: axes (lists) and tables (maps), in any order.
void read_matrix(YamlReader& r, const YAML::Node& node, Topology& topo) {
    if (!r.expect_map(node, "matrix", "a map of axis to list of values")) return;
    Matrix m;
    m.loc = loc_of(node);
    std::vector<std::pair<std::string, YAML::Node>> tables;
    for (const auto& kv : node) {
        const std::string key = kv.first.Scalar();
        if (kv.second.IsSequence()) {
            if (auto axis = read_axis(r, key, kv.first, kv.second, topo)) m.axes.push_back(*axis);
        } else if (kv.second.IsMap()) {
            tables.emplace_back(key, kv.second);
        } else {
            r.diag().error(loc_of(kv.second),
                           fmt::format("matrix {}: expected a list of values, or a table "
                                       "(rows, columns, values or file), found {}",
                                       key, kind_of(kv.second)));
        }
    }
    for (const auto& [key, table] : tables) {
        if (auto t = read_table(r, key, table, m)) m.tables.push_back(*t);
    }
    size_t cells = 1;
    for (const auto& a : m.axes) cells *= std::max<size_t>(1, a.labels.size());
    if (m.axes.empty()) {
        r.diag().error(m.loc, "matrix: expected at least one axis (a key with a list of values)");
    } else if (cells > kMaxCells) {
        r.diag().error(m.loc,
                       fmt::format("matrix: {} cells; expected at most {}", cells, kMaxCells));
    }
    topo.matrix = std::move(m);
}

}  // namespace testbed::sections
