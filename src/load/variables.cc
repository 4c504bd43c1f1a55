// ${name}s: every one must name a matrix axis or table.

#include <fmt/core.h>

#include <set>

#include "load/sections.h"
#include "model/json_text.h"
#include "model/template.h"

namespace testbed::sections {

/// Every ${name} in a command or an expectation names a matrix axis or table.
void check_variables(YamlReader& r, const Topology& topo) {
    std::set<std::string> known;
    if (topo.matrix) {
        for (const auto& a : topo.matrix->axes) known.insert(a.key);
        for (const auto& t : topo.matrix->tables) known.insert(t.name);
    }
    auto check = [&](const std::string& text, SourceLoc loc, const std::string& where) {
        for (const auto& name : variables_in(text)) {
            if (known.count(name)) continue;
            r.diag().error(
                loc, fmt::format("{}: ${{{}}} is not defined; expected the name of a "
                                 "matrix axis or table{}",
                                 where, name, topo.matrix ? "" : " (this file has no matrix)"));
        }
    };
    for (const auto& step : topo.steps) {
        if (const auto* s = std::get_if<StartStep>(&step.action)) {
            for (const auto& arg : s->argv)
                check(arg, step.loc, fmt::format("start {} cmd", s->name));
        }
    }
    for (const auto& e : topo.expectations) {
        check(json_text(e.json), e.loc, fmt::format("expect {}", e.process));
        for (const auto& p : e.output)
            check(p.regex, p.loc, fmt::format("expect {} {}", e.process, p.key()));
        if (e.exit_template)
            check(*e.exit_template, e.loc, fmt::format("expect {} exit", e.process));
    }
}

}  // namespace testbed::sections
