// ${name}s: every one must name a matrix axis or table.

#include <fmt/core.h>

#include <set>

#include "load/sections.h"
#include "model/json_text.h"
#include "model/template.h"

namespace testbed::sections {

/// Every ${name} names what can fill it (sections.h).
void check_variables(YamlReader& r, const Topology& topo) {
    std::set<std::string> matrix;
    if (topo.matrix) {
        for (const auto& a : topo.matrix->axes) matrix.insert(a.key);
        for (const auto& t : topo.matrix->tables) matrix.insert(t.name);
    }
    std::set<std::string> run_time = matrix;
    run_time.insert("run_dir");
    for (const auto& [name, value] : address_variables(topo)) run_time.insert(name);
    auto check = [&](const std::set<std::string>& known, const std::string& text, SourceLoc loc,
                     const std::string& where) {
        for (const auto& name : variables_in(text)) {
            if (known.count(name)) continue;
            const bool in_program = &known == &run_time;
            r.diag().error(
                loc,
                fmt::format("{}: ${{{}}} is not defined; expected the name of a matrix axis "
                            "or table{}{}",
                            where, name,
                            in_program ? ", an address (NODE.NETWORK, ROUTER.wan) or run_dir" : "",
                            topo.matrix ? "" : " (this file has no matrix)"));
        }
    };
    for (const auto& step : topo.steps) {
        if (const auto* s = std::get_if<StartStep>(&step.action)) {
            for (const auto& arg : s->argv)
                check(run_time, arg, step.loc, fmt::format("start {} cmd", s->name));
            for (const auto& [key, value] : s->env)
                check(run_time, value, step.loc, fmt::format("start {} env {}", s->name, key));
            check(matrix, s->ready.regex, step.loc, fmt::format("start {} ready", s->name));
        }
    }
    for (const auto& f : topo.files)
        check(run_time, f.content, f.loc, fmt::format("files '{}'", f.path));
    for (const auto& e : topo.expectations) {
        check(matrix, json_text(e.json), e.loc, fmt::format("expect {}", e.process));
        for (const auto& p : e.output)
            check(matrix, p.regex, p.loc, fmt::format("expect {} {}", e.process, p.key()));
        if (e.exit_template)
            check(matrix, *e.exit_template, e.loc, fmt::format("expect {} exit", e.process));
    }
    for (const auto& t : topo.traffic)
        check(matrix, t.via, t.loc, fmt::format("traffic between {} and {} via", t.a, t.b));
}

}  // namespace testbed::sections
