// `expect:`: exit code, JSON fields and ranges, and regexes that stdout or stderr
// must match or must lack, per process.

#include <fmt/core.h>

#include "load/sections.h"
#include "model/template.h"

namespace testbed::sections {

namespace {

/// A key inside a JSON pointer (RFC 6901: "~" and "/" escaped).
std::string pointer_token(const std::string& key) {
    std::string out;
    for (const char c : key) {
        if (c == '~')
            out += "~0";
        else if (c == '/')
            out += "~1";
        else
            out += c;
    }
    return out;
}

/// YAML values as JSON: plain scalars become numbers, booleans or null
/// where they read as such, quoted ones stay strings. A number JSON cannot
/// hold (1e99999) is an error at its place. A plain scalar that is one
/// `${var}` is noted in `typed` (its JSON pointer), so a cell's value of
/// `true` becomes a boolean as it would written out.
nlohmann::json to_json(YamlReader& r, const YAML::Node& node, const std::string& what,
                       const std::string& pointer, std::vector<std::string>& typed) {
    if (node.IsMap()) {
        nlohmann::json obj = nlohmann::json::object();
        for (const auto& e : node) {
            const std::string key = e.first.Scalar();
            obj[key] = to_json(r, e.second, what, pointer + "/" + pointer_token(key), typed);
        }
        return obj;
    }
    if (node.IsSequence()) {
        nlohmann::json arr = nlohmann::json::array();
        for (const auto& e : node)
            arr.push_back(to_json(r, e, what, fmt::format("{}/{}", pointer, arr.size()), typed));
        return arr;
    }
    if (!node.IsScalar()) return nullptr;
    const std::string& text = node.Scalar();
    if (node.Tag() == "!") return text;  // quoted in the file
    if (is_one_variable(text)) typed.push_back(pointer);
    auto value = plain_scalar(text);
    if (!value) {
        r.diag().error(loc_of(node), fmt::format("{}: the number {} is out of range", what, text));
        return nullptr;
    }
    return *value;
}

/// One bound of a `json-range`: a plain number.
std::optional<double> bound(YamlReader& r, const YAML::Node& node, const std::string& what) {
    const std::string text = node.IsScalar() ? node.Scalar() : std::string();
    const auto value = node.IsScalar() && node.Tag() != "!" ? plain_scalar(text) : std::nullopt;
    if (!value || !value->is_number()) {
        r.diag().error(loc_of(node),
                       fmt::format("{}: expected a number, found {}", what, kind_of(node)));
        return std::nullopt;
    }
    return value->get<double>();
}

/// `json-range: { field: [min, max], nested: { field: [min, max] } }`:
/// numbers only (no matrix variables), min not above max.
nlohmann::json read_ranges(YamlReader& r, const YAML::Node& node, const std::string& what) {
    nlohmann::json out = nlohmann::json::object();
    for (const auto& e : node) {
        const std::string key = e.first.Scalar();
        const std::string where = fmt::format("{}.{}", what, key);
        if (e.second.IsMap()) {
            out[key] = read_ranges(r, e.second, where);
            continue;
        }
        if (!e.second.IsSequence() || e.second.size() != 2) {
            r.diag().error(loc_of(e.second),
                           fmt::format("{}: expected [min, max] (two numbers) or a map of "
                                       "nested fields, found {}",
                                       where, kind_of(e.second)));
            continue;
        }
        const auto low = bound(r, e.second[0], where + " min");
        const auto high = bound(r, e.second[1], where + " max");
        if (!low || !high) continue;
        if (*low > *high) {
            r.diag().error(loc_of(e.second),
                           fmt::format("{}: min {} is above max {}", where, *low, *high));
            continue;
        }
        out[key] = nlohmann::json::array({*low, *high});
    }
    return out;
}

/// `exit: N` or `exit: ${var}` (a matrix variable: its value in each cell).
void read_exit(YamlReader& r, const YAML::Node& n, const std::string& what, Expectation& e) {
    const std::string& text = n.IsScalar() ? n.Scalar() : std::string();
    if (text.find("${") != std::string::npos) {
        if (!is_one_variable(text))
            r.diag().error(loc_of(n),
                           fmt::format("{} exit: expected a number from 0 to 255 or one ${{name}}, "
                                       "found '{}'",
                                       what, text));
        e.exit_template = text;
        return;
    }
    e.exit_code = r.integer(n, what + " exit", 0, 255);
}

}  // namespace

void read_expectations(YamlReader& r, const YAML::Node& node, Topology& topo) {
    if (!r.expect_map(node, "expect", "a map of process name to expectations")) return;
    for (const auto& entry : node) {
        Expectation e;
        e.process = entry.first.Scalar();
        e.loc = loc_of(entry.first);
        const std::string what = fmt::format("expect '{}'", e.process);
        if (!r.expect_map(entry.second, what,
                          "a map with exit, json, json-range, stdout, stderr, stdout-lacks "
                          "or stderr-lacks"))
            continue;
        r.check_keys(
            entry.second,
            {"exit", "json", "json-range", "stdout", "stderr", "stdout-lacks", "stderr-lacks"},
            what);
        if (auto n = entry.second["exit"]) read_exit(r, n, what, e);
        if (auto n = entry.second["json"]) {
            if (r.expect_map(n, what + " json", "a map of field to value"))
                e.json = to_json(r, n, what + " json", "", e.typed_json);
        }
        if (auto n = entry.second["json-range"]) {
            if (r.expect_map(n, what + " json-range", "a map of field to [min, max]"))
                e.json_range = read_ranges(r, n, what + " json-range");
        }
        // In the order written, so the report lists them as the file does.
        for (const auto& field : entry.second) {
            const std::string key = field.first.Scalar();
            if (!key.starts_with("stdout") && !key.starts_with("stderr")) continue;
            OutputPattern p{key.starts_with("stderr"), key.ends_with("-lacks"), {}, {}};
            if (p.key() != key) continue;  // an unknown key: check_keys said so
            p.loc = loc_of(field.second);
            const std::string where = fmt::format("{} {}", what, key);
            p.regex = r.scalar(field.second, where, "a regular expression");
            check_regex(r, field.second, p.regex, where);
            e.output.push_back(std::move(p));
        }
        topo.expectations.push_back(std::move(e));
    }
}

}  // namespace testbed::sections
