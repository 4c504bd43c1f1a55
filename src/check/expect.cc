#include "check/expect.h"

#include <fmt/core.h>

#include "base/regex.h"
#include "model/json_text.h"

namespace testbed {
namespace {

/// Values from YAML and from a program may differ in type only: 3 and 3.0
/// are equal, as are a YAML string and the same JSON string.
bool same_value(const nlohmann::json& expected, const nlohmann::json& actual) {
    if (expected.is_number() && actual.is_number())
        return expected.get<double>() == actual.get<double>();
    if (expected.is_object() && actual.is_object()) {
        for (const auto& [key, value] : expected.items()) {
            if (!actual.contains(key) || !same_value(value, actual[key])) return false;
        }
        return true;
    }
    return expected == actual;
}

std::string shown(const nlohmann::json& value) {
    return json_text(value);
}

}  // namespace

std::optional<nlohmann::json> last_json_object(std::string_view text) {
    OutputScan scan;
    scan.feed(text);
    scan.finish();
    return scan.last_json();
}

ProcessOutcome outcome_from_text(ExitStatus status, std::string_view text, const Expectation& e) {
    std::vector<Regex> patterns;
    if (e.stdout_regex) {
        if (auto re = Regex::compile(*e.stdout_regex)) patterns.push_back(*re);
    }
    OutputScan scan(patterns);
    scan.feed(text);
    scan.finish();
    ProcessOutcome o;
    o.status = status;
    o.started = true;
    o.last_json = scan.last_json();
    o.stdout_matched = !patterns.empty() && scan.matched(0);
    o.stdout_tail = scan.tail();
    return o;
}

std::vector<CheckResult> check_expectation(const Expectation& e, const ProcessOutcome& outcome) {
    std::vector<CheckResult> results;
    auto add = [&](std::string what, std::string expected, std::string actual, bool passed) {
        results.push_back(
            {e.process, std::move(what), std::move(expected), std::move(actual), passed});
    };
    if (!outcome.started) {
        add("started", "the process to have started", "it never started", false);
        return results;
    }
    if (e.exit_code) {
        const bool ok = outcome.status.code && *outcome.status.code == *e.exit_code;
        add("exit", fmt::format("exit {}", *e.exit_code), outcome.status.str(), ok);
    }
    if (!e.json.empty()) {
        const auto& object = outcome.last_json;
        for (const auto& [key, value] : e.json.items()) {
            if (!object) {
                add("json." + key, shown(value), "no JSON object on stdout", false);
            } else if (!object->contains(key)) {
                add("json." + key, shown(value), "field missing", false);
            } else {
                const auto& actual = (*object)[key];
                add("json." + key, shown(value), shown(actual), same_value(value, actual));
            }
        }
    }
    if (e.stdout_regex) {
        const bool ok = outcome.stdout_matched;
        add("stdout", "/" + *e.stdout_regex + "/",
            ok ? "matched"
               : fmt::format("no line matched; stdout ended '{}'{}", outcome.stdout_tail,
                             outcome.stdout_note.empty() ? "" : " (" + outcome.stdout_note + ")"),
            ok);
    }
    return results;
}

}  // namespace testbed
