#pragma once
/// The CSV file a matrix table names (`file: outcomes.csv`): read from the
/// topology's folder or below it only, bounded, as UTF-8, split into lines
/// of cells.

#include <optional>
#include <string>
#include <vector>

#include "load/yaml_reader.h"

namespace testbed::sections {

/// A line of a table: where it is ("outcomes.csv line 4") and its cells.
struct TableLine {
    std::string where;
    std::vector<std::string> cells;
};

/// A CSV file's lines (relative to the topology file), each split at commas
/// and trimmed; empty lines and `#` lines left out. nullopt after an error,
/// reported at `at`: the file cannot be read, lies outside the topology's
/// folder, is larger than a topology may be, or is not UTF-8.
std::optional<std::vector<TableLine>> read_csv_lines(YamlReader& r, const std::string& path,
                                                     const YAML::Node& at, const std::string& what);

}  // namespace testbed::sections
