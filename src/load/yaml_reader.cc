#include "load/yaml_reader.h"

#include <fmt/core.h>
#include <fmt/ranges.h>

namespace testbed {

SourceLoc loc_of(const YAML::Node& node) {
    const YAML::Mark mark = node.Mark();
    if (mark.line < 0) return {};
    return {mark.line + 1, mark.column + 1};
}

std::string kind_of(const YAML::Node& node) {
    switch (node.Type()) {
        case YAML::NodeType::Map:
            return "a map";
        case YAML::NodeType::Sequence:
            return "a list";
        case YAML::NodeType::Scalar:
            return fmt::format("'{}'", node.Scalar());
        case YAML::NodeType::Null:
        case YAML::NodeType::Undefined:
            return "nothing";
    }
    return "?";
}

bool YamlReader::expect_map(const YAML::Node& node, const std::string& what,
                            const std::string& expected) {
    if (node.IsMap()) return true;
    diag_.error(loc_of(node),
                fmt::format("{}: expected {}, found {}", what, expected, kind_of(node)));
    return false;
}

std::string YamlReader::scalar(const YAML::Node& node, const std::string& what,
                               const std::string& expected) {
    if (node.IsScalar()) return node.Scalar();
    diag_.error(loc_of(node),
                fmt::format("{}: expected {}, found {}", what, expected, kind_of(node)));
    return {};
}

std::optional<std::string> YamlReader::word(const YAML::Node& node, const std::string& what,
                                            const std::string& expected) {
    if (!node.IsScalar()) {
        (void)scalar(node, what, expected);
        return std::nullopt;
    }
    if (node.Scalar().empty()) {
        diag_.error(loc_of(node),
                    fmt::format("{}: expected {}, found an empty value", what, expected));
        return std::nullopt;
    }
    return node.Scalar();
}

std::optional<int> YamlReader::integer(const YAML::Node& node, const std::string& what, int min,
                                       int max) {
    const auto word_text = word(node, what, fmt::format("a whole number from {} to {}", min, max));
    if (!word_text) return std::nullopt;
    const std::string& text = *word_text;
    try {
        size_t used = 0;
        const long value = std::stol(text, &used);
        if (used == text.size() && value >= min && value <= max) return static_cast<int>(value);
    } catch (const std::exception&) {
    }
    diag_.error(loc_of(node), fmt::format("{}: expected a whole number from {} to {}, found '{}'",
                                          what, min, max, text));
    return std::nullopt;
}

std::optional<bool> YamlReader::boolean(const YAML::Node& node, const std::string& what) {
    const std::string text = word(node, what, "true or false").value_or("");
    if (text == "true" || text == "yes" || text == "on") return true;
    if (text == "false" || text == "no" || text == "off") return false;
    if (!text.empty())
        diag_.error(loc_of(node),
                    fmt::format("{}: expected true or false, found '{}'", what, text));
    return std::nullopt;
}

std::optional<Duration> YamlReader::duration(const YAML::Node& node, const std::string& what) {
    const auto word_text = word(node, what, "a duration like 15s or 500ms");
    if (!word_text) return std::nullopt;
    const std::string& text = *word_text;
    if (auto d = parse_duration(text)) return d;
    diag_.error(
        loc_of(node),
        fmt::format("{}: expected a duration like 15s, 500ms or 2m, found '{}'", what, text));
    return std::nullopt;
}

void YamlReader::check_keys(const YAML::Node& map, std::span<const std::string_view> known,
                            const std::string& where) {
    if (!map.IsMap()) return;
    for (const auto& entry : map) {
        const std::string key = entry.first.Scalar();
        bool ok = false;
        for (auto k : known) ok = ok || k == key;
        if (!ok) {
            diag_.error(loc_of(entry.first),
                        fmt::format("unknown key '{}' in {}; expected one of: {}", key, where,
                                    fmt::join(known, ", ")));
        }
    }
}

std::optional<Behaviour> YamlReader::behaviour(const YAML::Node& node, const std::string& what,
                                               bool allow_none) {
    const auto word_text = word(node, what, "a behaviour");
    if (!word_text) return std::nullopt;
    const std::string& text = *word_text;
    auto b = parse_behaviour(text);
    if (b && (allow_none || *b != Behaviour::none)) return b;
    diag_.error(loc_of(node),
                fmt::format("{}: unknown behaviour '{}'; expected {}endpoint-independent, "
                            "address-dependent or address-and-port-dependent",
                            what, text, allow_none ? "none, " : ""));
    return std::nullopt;
}

}  // namespace testbed
