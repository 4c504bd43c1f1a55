// `matrix:`: axes (lists of values) and tables (inline or CSV).

#include <fmt/core.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cstddef>

#include "load/loader.h"
#include "load/sections.h"
#include "load/table_file.h"

namespace testbed::sections {

namespace {

constexpr size_t kMaxCells = 1024;

bool is_variable_name(const std::string& name) {
    return !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_';
    });
}

/// `ROUTER.port-mapping: [none, upnp, nat-pmp, pcp, { ... }]`: a protocol's
/// name is that protocol alone, `none` no port mapping, a map as under the
/// router's own `port-mapping:` (labelled by its protocols: `upnp+pcp`).
void read_port_mapping_values(YamlReader& r, const YAML::Node& values, MatrixAxis& axis) {
    const std::string what = fmt::format("matrix {}", axis.key);
    for (const auto& v : values) {
        if (v.IsMap()) {
            auto pm = read_port_mapping(r, v, what);
            if (!pm) continue;
            std::vector<std::string> names;
            for (const char* protocol : kPortMappingProtocols) {
                if (*protocol_flag(*pm, protocol)) names.emplace_back(protocol);
            }
            axis.labels.push_back(fmt::format("{}", fmt::join(names, "+")));
            axis.port_mappings.push_back(pm);
            continue;
        }
        const auto word = r.word(v, what, "none, upnp, nat-pmp, pcp or a port-mapping map");
        if (!word) continue;
        PortMapping pm;
        if (bool* on = protocol_flag(pm, *word)) {
            *on = true;
        } else if (*word != "none") {
            r.diag().error(loc_of(v), fmt::format("{}: expected none, upnp, nat-pmp, pcp or a "
                                                  "port-mapping map, found '{}'",
                                                  what, *word));
            continue;
        }
        pm.loc = loc_of(v);
        axis.labels.push_back(*word);
        axis.port_mappings.push_back(pm.any() ? std::optional(pm) : std::nullopt);
    }
}

/// Every router the axis names exists (an error naming the first that does not).
bool routers_known(YamlReader& r, const Topology& topo, const MatrixAxis& axis) {
    for (const auto& name : axis_routers(axis)) {
        if (topo.find_router(name)) continue;
        r.diag().error(axis.loc, fmt::format("matrix {}: unknown router '{}'", axis.key, name));
        return false;
    }
    return true;
}

std::optional<MatrixAxis> read_axis(YamlReader& r, const std::string& key,
                                    const YAML::Node& key_node, const YAML::Node& values,
                                    const Topology& topo) {
    MatrixAxis axis;
    axis.key = key;
    axis.loc = loc_of(key_node);
    const bool nat_axis = key.size() > 4 && key.ends_with(".nat");
    const std::string port_mapping_suffix = std::string(".") + kPortMappingField;
    if (key.size() > port_mapping_suffix.size() && key.ends_with(port_mapping_suffix)) {
        axis.router = key.substr(0, key.size() - port_mapping_suffix.size());
        axis.field = kPortMappingField;
        if (!routers_known(r, topo, axis)) return std::nullopt;
        if (values.size() == 0) {
            r.diag().error(loc_of(values),
                           fmt::format("matrix {}: expected at least one value", key));
            return std::nullopt;
        }
        read_port_mapping_values(r, values, axis);
        return axis;
    }
    for (const char* field : {"mapping", "filtering"}) {
        const std::string suffix = std::string(".nat.") + field;
        if (key.size() > suffix.size() && key.ends_with(suffix)) {
            axis.router = key.substr(0, key.size() - suffix.size());
            axis.field = field;
        }
    }
    if (!axis.field.empty()) {
        if (!routers_known(r, topo, axis)) return std::nullopt;
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
        if (!routers_known(r, topo, axis)) return std::nullopt;
    } else if (!is_variable_name(key)) {
        r.diag().error(axis.loc,
                       fmt::format("matrix {}: expected ROUTER.nat, ROUTER.nat.mapping, "
                                   "ROUTER.nat.filtering, ROUTER.port-mapping or a variable name "
                                   "(letters, digits, '-', '_')",
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
    const auto lines = read_csv_lines(r, path, at, what);
    if (!lines) return false;
    std::vector<std::string> header;
    std::map<std::string, std::vector<std::string>> by_row;
    for (const auto& [where, cells] : *lines) {
        if (cols && header.empty()) {
            header = cells;
            continue;
        }
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

/// The lines of a keyed table: one per combination of the axes' values,
/// each the labels in the order of `keys` and then the value.
bool keyed_lines(YamlReader& r, const YAML::Node& node, const std::string& what,
                 std::vector<TableLine>& lines, SourceLoc& at) {
    if (auto v = node["values"]) {
        at = loc_of(v);
        if (!v.IsSequence()) {
            r.diag().error(at, fmt::format("{} values: expected a list of lines like [full-cone, "
                                           "upnp, direct]",
                                           what));
            return false;
        }
        for (const auto& line : v) {
            std::vector<std::string> cells;
            if (line.IsSequence()) {
                for (const auto& c : line)
                    cells.push_back(r.scalar(c, what + " values", "a value"));
            } else {
                r.diag().error(loc_of(line), fmt::format("{} values: expected a line like "
                                                         "[full-cone, upnp, direct]",
                                                         what));
            }
            lines.push_back({fmt::format("values line {}", lines.size() + 1), cells});
        }
        return true;
    }
    at = loc_of(node["file"]);
    const std::string path = r.word(node["file"], what + " file", "a CSV file name").value_or("");
    auto read = read_csv_lines(r, path, node["file"], what);
    if (!read) return false;
    lines = std::move(*read);
    return true;
}

/// `{ keys: [AXIS, ...], values: [[label, ..., value], ...] }` or `{ keys,
/// file }`: a value for every combination of the named axes' values, each
/// exactly once, in any order (a CSV line is the labels, then the value,
/// then optionally the reason for it).
std::optional<MatrixTable> read_keyed_table(YamlReader& r, MatrixTable t, const YAML::Node& node,
                                            const Matrix& m, const std::string& what) {
    const YAML::Node keys = node["keys"];
    if (node["rows"] || node["columns"] || !node["values"] == !node["file"] || !keys.IsSequence() ||
        keys.size() == 0) {
        r.diag().error(t.loc, fmt::format("{}: expected keys (a list of axes) with values or file, "
                                          "and neither rows nor columns",
                                          what));
        return std::nullopt;
    }
    std::vector<const MatrixAxis*> axes;
    size_t combinations = 1;
    for (const auto& k : keys) {
        const std::string key = r.word(k, what + " keys", "an axis").value_or("");
        const MatrixAxis* axis = axis_named(r, m, key, k, what + " keys");
        if (!axis) return std::nullopt;
        axes.push_back(axis);
        t.axes.push_back(key);
        combinations *= axis->labels.size();
    }
    std::vector<TableLine> lines;
    SourceLoc at = t.loc;
    if (!keyed_lines(r, node, what, lines, at)) return std::nullopt;
    for (auto& [where, cells] : lines) {
        if (cells.size() < axes.size() + 1) {
            r.diag().error(at, fmt::format("{}: {} has {} values; expected {} (a value of each of "
                                           "{}, then the table's value, then a reason if you like)",
                                           what, where, cells.size(), axes.size() + 1,
                                           fmt::join(t.axes, ", ")));
            return std::nullopt;
        }
        // Past the value, the rest of the line is its reason (commas and all).
        const std::string reason = fmt::format(
            "{}", fmt::join(cells.begin() + static_cast<std::ptrdiff_t>(axes.size()) + 1,
                            cells.end(), ", "));
        cells.resize(axes.size() + 1);
        const std::string value = cells.back();
        cells.pop_back();
        for (size_t a = 0; a < axes.size(); ++a) {
            const auto& labels = axes[a]->labels;
            if (std::find(labels.begin(), labels.end(), cells[a]) == labels.end()) {
                r.diag().error(
                    at, fmt::format("{}: {}: '{}' is not a value of {} (its values: {})", what,
                                    where, cells[a], t.axes[a], fmt::join(labels, ", ")));
                return std::nullopt;
            }
        }
        if (!t.values.emplace(cells, value).second) {
            r.diag().error(at, fmt::format("{}: {}: ({}) has a value already", what, where,
                                           fmt::join(cells, ", ")));
            return std::nullopt;
        }
        if (!reason.empty()) t.reasons.emplace(cells, reason);
    }
    if (t.values.size() != combinations) {
        r.diag().error(at, fmt::format("{}: {} lines; expected {}, one per combination of {}", what,
                                       t.values.size(), combinations, fmt::join(t.axes, ", ")));
        return std::nullopt;
    }
    return t;
}

/// A table: `rows` and `columns` name two axes (or `rows` alone one);
/// `values` is a list of rows (with one axis, a list of values), or `file`
/// names a CSV (read_csv_grid).
std::optional<MatrixTable> read_table(YamlReader& r, const std::string& name,
                                      const YAML::Node& node, const Matrix& m) {
    const std::string what = fmt::format("matrix {}", name);
    r.check_keys(node, {"rows", "columns", "keys", "values", "file"}, what);
    MatrixTable t;
    t.name = name;
    t.loc = loc_of(node);
    if (!is_variable_name(name)) {
        r.diag().error(
            t.loc, fmt::format("{}: expected a variable name (letters, digits, '-', '_')", what));
        return std::nullopt;
    }
    if (node["keys"]) return read_keyed_table(r, std::move(t), node, m, what);
    if (!node["rows"] || (!node["values"] == !node["file"])) {
        r.diag().error(
            t.loc,
            fmt::format("{}: expected rows, columns (for two axes) or keys (for any number), and "
                        "values or file",
                        what));
        return std::nullopt;
    }
    const std::string rows_key = r.word(node["rows"], what + " rows", "an axis").value_or("");
    const MatrixAxis* rows = axis_named(r, m, rows_key, node["rows"], what + " rows");
    const MatrixAxis* cols = nullptr;
    std::string cols_key;
    if (node["columns"]) {
        cols_key = r.word(node["columns"], what + " columns", "an axis").value_or("");
        cols = axis_named(r, m, cols_key, node["columns"], what + " columns");
        if (!cols) return std::nullopt;
    }
    if (!rows) return std::nullopt;
    t.axes.push_back(rows_key);
    if (cols) t.axes.push_back(cols_key);
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
                                             grid.size(), rows->labels.size(), rows_key));
        return std::nullopt;
    }
    const size_t width = cols ? cols->labels.size() : 1;
    for (size_t row = 0; row < grid.size(); ++row) {
        if (grid[row].size() != width) {
            r.diag().error(grid_loc,
                           fmt::format("{}: row {} has {} values; expected {}, one per value of {}",
                                       what, row + 1, grid[row].size(), width, cols_key));
            return std::nullopt;
        }
        for (size_t c = 0; c < grid[row].size(); ++c) {
            std::vector<std::string> labels{rows->labels[row]};
            if (cols) labels.push_back(cols->labels[c]);
            t.values[labels] = grid[row][c];
        }
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
