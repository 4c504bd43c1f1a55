// `expect:`: exit code, JSON fields, and regexes that stdout or stderr
// must match or must lack, per process.

#include <fmt/core.h>

#include "base/regex.h"
#include "load/sections.h"

namespace testbed::sections {

namespace {

/// YAML values as JSON: plain scalars become numbers, booleans or null
/// where they read as such, quoted ones stay strings. A number JSON cannot
/// hold (1e99999) is an error at its place.
nlohmann::json to_json(YamlReader& r, const YAML::Node& node, const std::string& what) {
    if (node.IsMap()) {
        nlohmann::json obj = nlohmann::json::object();
        for (const auto& e : node) obj[e.first.Scalar()] = to_json(r, e.second, what);
        return obj;
    }
    if (node.IsSequence()) {
        nlohmann::json arr = nlohmann::json::array();
        for (const auto& e : node) arr.push_back(to_json(r, e, what));
        return arr;
    }
    if (!node.IsScalar()) return nullptr;
    const std::string& text = node.Scalar();
    if (node.Tag() == "!") return text;  // quoted in the file
    if (text == "true") return true;
    if (text == "false") return false;
    if (text == "null" || text == "~") return nullptr;
    static const auto number = Regex::compile(R"(-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?)");
    if (!number->full_match(text)) return text;
    nlohmann::json value = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (value.is_discarded()) {
        r.diag().error(loc_of(node), fmt::format("{}: the number {} is out of range", what, text));
        return nullptr;
    }
    return value;
}

/// `exit: N` or `exit: ${var}` (a matrix variable: its value in each cell).
void read_exit(YamlReader& r, const YAML::Node& n, const std::string& what, Expectation& e) {
    const std::string& text = n.IsScalar() ? n.Scalar() : std::string();
    if (text.find("${") != std::string::npos) {
        const bool one_variable =
            text.size() > 3 && text.starts_with("${") && text.find('}') == text.size() - 1;
        if (!one_variable)
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
                          "a map with exit, json, stdout, stderr, stdout-lacks or stderr-lacks"))
            continue;
        r.check_keys(entry.second,
                     {"exit", "json", "stdout", "stderr", "stdout-lacks", "stderr-lacks"}, what);
        if (auto n = entry.second["exit"]) read_exit(r, n, what, e);
        if (auto n = entry.second["json"]) {
            if (r.expect_map(n, what + " json", "a map of field to value"))
                e.json = to_json(r, n, what + " json");
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
