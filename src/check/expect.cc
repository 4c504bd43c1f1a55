#include "check/expect.h"

#include <fmt/core.h>

#include <functional>

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

/// Each [min, max] leaf of `ranges` against the same place in `object`
/// (nullptr: not there, for the reason `absent`), named "json.a.b" as the
/// file nests it.
void check_ranges(const nlohmann::json& ranges, const nlohmann::json* object,
                  const std::string& absent, const std::string& prefix,
                  const std::function<void(std::string, std::string, std::string, bool)>& add) {
    for (const auto& [key, range] : ranges.items()) {
        const std::string name = fmt::format("{}.{}", prefix, key);
        const nlohmann::json* actual =
            object && object->is_object() && object->contains(key) ? &(*object)[key] : nullptr;
        if (range.is_object()) {
            check_ranges(range, actual, "field missing", name, add);
            continue;
        }
        const double low = range.at(0).get<double>();
        const double high = range.at(1).get<double>();
        const std::string expected = fmt::format("from {} to {}", low, high);
        if (!actual) {
            add(name, expected, object ? "field missing" : absent, false);
        } else if (!actual->is_number()) {
            add(name, expected, shown(*actual) + " (not a number)", false);
        } else {
            const double value = actual->get<double>();
            add(name, expected, shown(*actual), value >= low && value <= high);
        }
    }
}

}  // namespace

std::optional<nlohmann::json> last_json_object(std::string_view text) {
    OutputScan scan;
    scan.feed(text);
    scan.finish();
    return scan.last_json();
}

ProcessOutcome outcome_from_text(ExitStatus status, std::string_view out, std::string_view err,
                                 const Expectation& e) {
    std::vector<Watch> watches;
    watches.reserve(e.output.size());
    for (const auto& p : e.output) watches.push_back({p.regex, p.on_stderr});
    StreamScans scans(watches);
    scans.feed(false, out);
    scans.feed(true, err);
    scans.finish();
    ProcessOutcome o;
    o.status = status;
    o.started = true;
    for (size_t i = 0; i < scans.watches(); ++i) {
        o.matched.push_back(scans.matched(i));
        o.first_matches.push_back(scans.first_match(i));
    }
    o.last_json = scans.stdout_scan().last_json();
    o.stdout_tail = scans.stdout_scan().tail();
    o.stderr_tail = scans.stderr_scan().tail();
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
    } else if (e.exit_template) {
        add("exit", *e.exit_template, "not a code (expand the matrix first)", false);
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
    if (!e.json_range.empty()) {
        const nlohmann::json* object = outcome.last_json ? &*outcome.last_json : nullptr;
        check_ranges(e.json_range, object, "no JSON object on stdout", "json", add);
    }
    const std::string note = outcome.stdout_note.empty() ? "" : " (" + outcome.stdout_note + ")";
    for (size_t i = 0; i < e.output.size(); ++i) {
        const OutputPattern& p = e.output[i];
        const bool matched = i < outcome.matched.size() && outcome.matched[i];
        const std::string stream = p.on_stderr ? "stderr" : "stdout";
        const std::string& tail = p.on_stderr ? outcome.stderr_tail : outcome.stdout_tail;
        std::string actual;
        if (!p.absent) {
            actual = matched ? "matched"
                             : fmt::format("no line matched; {} ended '{}'{}", stream, tail, note);
        } else {
            actual = matched ? fmt::format("a line matched: '{}'", outcome.first_matches.at(i))
                             : "no line matched" + note;
        }
        add(p.key(), (p.absent ? "no line matching /" : "/") + p.regex + "/", actual,
            matched != p.absent);
    }
    return results;
}

}  // namespace testbed
