#include "validate/templates.h"

#include <fmt/core.h>

#include <set>

#include "base/regex.h"
#include "model/json_text.h"
#include "model/template.h"

namespace testbed {
namespace {

class CellCheck {
  public:
    CellCheck(const Topology& cell, Diagnostics& diag) : cell_(cell), diag_(diag) {
        run_time_.insert("run_dir");
        for (const auto& [name, value] : address_variables(cell)) run_time_.insert(name);
    }

    /// `text` may keep only run-time names (`run_time`) or none. Each name
    /// once: a value can put the same ${name} there thousands of times.
    void names(const std::string& text, bool run_time, SourceLoc loc, const std::string& where) {
        std::set<std::string> said;
        for (const auto& name : variables_in(text)) {
            if ((run_time && run_time_.count(name)) || !said.insert(name).second) continue;
            diag_.error(loc, fmt::format("{} in cell {}: ${{{}}} is not defined (a matrix value "
                                         "put it there){}",
                                         where, cell_.name, name,
                                         run_time ? "; expected an address or run_dir" : ""));
        }
    }

    void pattern(const std::string& regex, SourceLoc loc, const std::string& where) {
        names(regex, false, loc, where);
        std::string why;
        if (!Regex::compile(regex, &why))
            diag_.error(loc, fmt::format("{} in cell {}: bad regular expression '{}' (RE2 "
                                         "syntax): {}",
                                         where, cell_.name, regex, why));
    }

  private:
    const Topology& cell_;
    Diagnostics& diag_;
    std::set<std::string> run_time_;
};

}  // namespace

void check_cell_templates(const Topology& cell, Diagnostics& diag) {
    if (cell.matrix_name.empty()) return;
    CellCheck check(cell, diag);
    for (const auto& step : cell.steps) {
        const auto* s = std::get_if<StartStep>(&step.action);
        if (!s) continue;
        const std::string what = fmt::format("start {}", s->name);
        for (const auto& arg : s->argv) check.names(arg, true, step.loc, what + " cmd");
        for (const auto& [key, value] : s->env)
            check.names(value, true, step.loc, fmt::format("{} env {}", what, key));
        if (s->ready.kind == ReadySpec::Kind::stdout_regex ||
            s->ready.kind == ReadySpec::Kind::stderr_regex)
            check.pattern(s->ready.regex, step.loc, what + " ready");
    }
    for (const auto& f : cell.files)
        check.names(f.content, true, f.loc, fmt::format("files '{}'", f.path));
    for (const auto& e : cell.expectations) {
        const std::string what = fmt::format("expect {}", e.process);
        check.names(json_text(e.json), false, e.loc, what);
        for (const auto& p : e.output) check.pattern(p.regex, p.loc, what + " " + p.key());
    }
    for (const auto& t : cell.traffic)
        check.names(t.via, false, t.loc, fmt::format("traffic between {} and {} via", t.a, t.b));
}

}  // namespace testbed
