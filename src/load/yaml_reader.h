#pragma once
/// Typed values out of a YAML tree for the loader's section readers: each
/// mistake is reported into the file's Diagnostics with its line and column
/// and what was expected, and reading goes on (every problem of a file is
/// reported at once).

#include <yaml-cpp/yaml.h>

#include <initializer_list>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "base/duration.h"
#include "model/diagnostics.h"
#include "model/nat.h"

namespace testbed {

/// Where a node is in its file (1-based), or the file as a whole.
SourceLoc loc_of(const YAML::Node& node);
/// A node's kind as a message names it: "a map", "a list", "'text'", "nothing".
std::string kind_of(const YAML::Node& node);

class YamlReader {
  public:
    explicit YamlReader(Diagnostics& diag) : diag_(diag) {}
    Diagnostics& diag() { return diag_; }

    bool expect_map(const YAML::Node& node, const std::string& what, const std::string& expected);
    std::string scalar(const YAML::Node& node, const std::string& what,
                       const std::string& expected);
    /// A scalar that must say something: an empty one ("", or a bare tag
    /// such as `!x`) is an error too, where `scalar` would return "".
    /// nullopt after reporting either.
    std::optional<std::string> word(const YAML::Node& node, const std::string& what,
                                    const std::string& expected);
    std::optional<int> integer(const YAML::Node& node, const std::string& what, int min, int max);
    std::optional<bool> boolean(const YAML::Node& node, const std::string& what);
    std::optional<Duration> duration(const YAML::Node& node, const std::string& what);
    void check_keys(const YAML::Node& map, std::initializer_list<std::string_view> known,
                    const std::string& where) {
        check_keys(map, std::span(known.begin(), known.size()), where);
    }
    void check_keys(const YAML::Node& map, std::span<const std::string_view> known,
                    const std::string& where);
    std::optional<Behaviour> behaviour(const YAML::Node& node, const std::string& what,
                                       bool allow_none);

  private:
    Diagnostics& diag_;
};

}  // namespace testbed
