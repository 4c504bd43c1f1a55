#include "check/expect.h"

#include <fmt/core.h>

#include <sstream>

#include "base/regex.h"

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
    return value.dump();
}

}  // namespace

std::optional<nlohmann::json> last_json_object(const std::string& text) {
    std::vector<std::string> lines;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    for (auto it = lines.rbegin(); it != lines.rend(); ++it) {
        const size_t first = it->find_first_not_of(" \t\r");
        if (first == std::string::npos || (*it)[first] != '{') continue;
        auto parsed = nlohmann::json::parse(*it, nullptr, false);
        if (!parsed.is_discarded() && parsed.is_object()) return parsed;
    }
    return std::nullopt;
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
        const auto object = last_json_object(outcome.stdout_text);
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
        // The loader refused patterns that do not compile: this one does.
        const auto re = Regex::compile(*e.stdout_regex);
        const bool ok = re && re->search(outcome.stdout_text);
        std::string tail =
            outcome.stdout_text.size() > 200
                ? "..." + outcome.stdout_text.substr(outcome.stdout_text.size() - 200)
                : outcome.stdout_text;
        add("stdout", "/" + *e.stdout_regex + "/",
            ok ? "matched" : fmt::format("no match in '{}'", tail), ok);
    }
    return results;
}

}  // namespace testbed
