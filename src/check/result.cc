#include "check/result.h"

#include <algorithm>

namespace testbed {

bool RunReport::all_held() const {
    return errors.empty() &&
           std::all_of(checks.begin(), checks.end(), [](const CheckResult& c) { return c.passed; });
}

size_t ScenarioResult::passes() const {
    return static_cast<size_t>(
        std::count_if(runs.begin(), runs.end(), [](const RunReport& r) { return r.passed; }));
}

size_t ScenarioResult::skips() const {
    return static_cast<size_t>(
        std::count_if(runs.begin(), runs.end(), [](const RunReport& r) { return r.skipped; }));
}

}  // namespace testbed
