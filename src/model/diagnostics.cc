#include "model/diagnostics.h"

#include <fmt/core.h>

#include <algorithm>
#include <tuple>

#include "base/printable.h"

namespace testbed {

void Diagnostics::error(SourceLoc loc, std::string message) {
    items_.push_back({Diagnostic::Severity::error, loc, std::move(message)});
}

void Diagnostics::warning(SourceLoc loc, std::string message) {
    items_.push_back({Diagnostic::Severity::warning, loc, std::move(message)});
}

bool Diagnostics::has_errors() const {
    return std::any_of(items_.begin(), items_.end(), [](const Diagnostic& d) {
        return d.severity == Diagnostic::Severity::error;
    });
}

std::string Diagnostics::format() const {
    std::vector<Diagnostic> sorted = items_;
    std::stable_sort(sorted.begin(), sorted.end(), [](const Diagnostic& a, const Diagnostic& b) {
        return std::tie(a.loc.line, a.loc.column) < std::tie(b.loc.line, b.loc.column);
    });
    std::string out;
    for (const auto& d : sorted) {
        const char* kind = d.severity == Diagnostic::Severity::error ? "error" : "warning";
        // One line each, whatever bytes a hostile name put in the message.
        const std::string file = printable(file_);
        const std::string message = printable(d.message);
        if (d.loc.line > 0) {
            out += fmt::format("{}:{}:{}: {}: {}\n", file, d.loc.line, d.loc.column, kind, message);
        } else {
            out += fmt::format("{}: {}: {}\n", file, kind, message);
        }
    }
    return out;
}

}  // namespace testbed
