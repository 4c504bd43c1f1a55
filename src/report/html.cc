#include "report/html.h"

#include <fmt/core.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cctype>
#include <fstream>

#include "report/escape.h"
#include "report/logs.h"
#include "report/matrix_table.h"

namespace testbed {
namespace {

const char* verdict(const ScenarioResult& r) {
    if (r.runs.empty()) return "none";
    if (r.skips() == r.runs.size()) return "skip";
    return r.failed() ? "fail" : "pass";
}

std::string anchor(const ScenarioResult& r) {
    std::string a = "s-";
    for (char c : r.topo->name) a += std::isalnum(static_cast<unsigned char>(c)) ? c : '-';
    return a;
}

/// The grid of one matrix file, axes past the second folded into the rows' label.
/// A cell of a grid: the outcome in large, the verdict below; a failed
/// cell shows what came in large and what was expected below.
std::string cell(const ScenarioResult& hit) {
    const std::string& outcome = hit.topo->outcome;
    std::string shown = outcome.empty() ? verdict(hit) : outcome;
    std::string below =
        hit.runs.size() > 1 ? fmt::format("{}/{}", hit.passes(), hit.runs.size()) : verdict(hit);
    if (hit.runs.size() == 1 && hit.failed()) {
        const std::string came = what_came(hit.runs.front(), outcome);
        if (!came.empty()) {
            shown = came;
            below = fmt::format("fail (expected {})", outcome);
        }
    }
    // Hovering a cell says why its table expects what it does.
    const std::string& why = hit.topo->outcome_reason;
    return fmt::format("<td class={}{}><a href=\"#{}\">{}<br><small>{}</small></a></td>",
                       verdict(hit),
                       why.empty() ? "" : fmt::format(" title=\"{}\"", xml_escape(why)),
                       anchor(hit), xml_escape(shown), xml_escape(below));
}

std::string matrix_grid(const std::vector<const ScenarioResult*>& cells) {
    const auto& axes = cells.front()->topo->cell;
    std::vector<std::string> rows, cols;
    auto row_of = [](const ScenarioResult* c) {
        std::string r = c->topo->cell[0].second;
        for (size_t a = 2; a < c->topo->cell.size(); ++a) r += " · " + c->topo->cell[a].second;
        return r;
    };
    for (const auto* c : cells) {
        const std::string r = row_of(c);
        const std::string col = c->topo->cell.size() > 1 ? c->topo->cell[1].second : "";
        if (std::find(rows.begin(), rows.end(), r) == rows.end()) rows.push_back(r);
        if (std::find(cols.begin(), cols.end(), col) == cols.end()) cols.push_back(col);
    }
    std::string out =
        fmt::format("<table class=grid><tr><th>{} \\ {}</th>", xml_escape(axes[0].first),
                    xml_escape(axes.size() > 1 ? axes[1].first : ""));
    for (const auto& c : cols) out += fmt::format("<th>{}</th>", xml_escape(c));
    out += "<th>passed</th></tr>\n";
    for (const auto& r : rows) {
        out += fmt::format("<tr><th>{}</th>", xml_escape(r));
        size_t pass = 0, total = 0;
        for (const auto& col : cols) {
            const ScenarioResult* hit = nullptr;
            for (const auto* c : cells) {
                if (row_of(c) == r && (c->topo->cell.size() < 2 || c->topo->cell[1].second == col))
                    hit = c;
            }
            if (!hit) {
                out += "<td></td>";
                continue;
            }
            pass += hit->passes();
            total += hit->runs.size() - hit->skips();
            out += cell(*hit);
        }
        out += fmt::format("<td>{}/{}</td></tr>\n", pass, total);
    }
    return out + "</table>\n";
}

/// One row of the ladder: a dot at the sender, a line, an arrowhead at the receiver.
std::string ladder_row(const Ladder& ladder, const LadderRow& row) {
    auto column = [&](const std::string& node) {
        const auto it = std::find(ladder.nodes.begin(), ladder.nodes.end(), node);
        return it == ladder.nodes.end() ? -1 : static_cast<int>(it - ladder.nodes.begin());
    };
    const int from = column(row.from), to = column(row.to);
    std::string out =
        fmt::format("<tr><td>{:.3f}</td><td>{}</td>", row.ms, xml_escape(row.network));
    for (int k = 0; k < static_cast<int>(ladder.nodes.size()); ++k) {
        if (to < 0) {
            out += k == from ? "<td class=n>&#9679;</td>" : "<td class=n></td>";
        } else if (k == from) {
            out += fmt::format("<td class=\"n {}\">&#9679;</td>", to > from ? "r" : "l");
        } else if (k == to) {
            out += fmt::format("<td class=\"n {}\">{}</td>", to > from ? "l" : "r",
                               to > from ? "&#9654;" : "&#9664;");
        } else if (k > std::min(from, to) && k < std::max(from, to)) {
            out += "<td class=\"n m\"></td>";
        } else {
            out += "<td class=n></td>";
        }
    }
    out += fmt::format("<td>{}{}", xml_escape(row.what), row.to == "*" ? " (broadcast)" : "");
    if (!row.translation.empty())
        out += fmt::format("<br><em>{}</em>", xml_escape(row.translation));
    return out + "</td></tr>\n";
}

std::string ladder_table(const Ladder& ladder) {
    std::string out =
        "<details open><summary>packet ladder</summary><table "
        "class=ladder><tr><th>ms</th><th>network</th>";
    for (const auto& n : ladder.nodes) out += fmt::format("<th>{}</th>", xml_escape(n));
    out += "<th>frame</th></tr>\n";
    for (const auto& row : ladder.rows) out += ladder_row(ladder, row);
    out += "</table>";
    if (ladder.omitted)
        out += fmt::format("<p>{} more frames are in the pcap files.</p>", ladder.omitted);
    return out + "</details>\n";
}

std::string scenario_section(const ScenarioResult& r) {
    std::string out =
        fmt::format("<section id=\"{}\" class={}><h3>{} <span class=tag>{}</span></h3>\n",
                    anchor(r), verdict(r), xml_escape(r.topo->name), verdict(r));
    out += fmt::format("<p class=file>{}</p>\n", xml_escape(r.topo->file));
    if (!r.topo->outcome_reason.empty()) {
        out += fmt::format("<p>expected {} because: {}</p>\n", xml_escape(r.topo->outcome),
                           xml_escape(r.topo->outcome_reason));
    }
    const std::string diagram = topology_diagram(r.topo->file);
    if (!diagram.empty()) out += fmt::format("<pre class=diagram>{}</pre>\n", xml_escape(diagram));
    for (size_t k = 0; k < r.runs.size(); ++k) {
        const RunReport& run = r.runs[k];
        if (r.runs.size() > 1) out += fmt::format("<h4>run {}</h4>\n", k + 1);
        if (run.skipped) {
            out += fmt::format("<p>skipped: {}</p>\n", xml_escape(run.skip_reason));
            continue;
        }
        for (const auto& e : run.errors)
            out += fmt::format("<p class=error>{}</p>\n", xml_escape(e));
        out += fmt::format("<p>build {:.0f} ms, run {:.0f} ms, teardown {:.0f} ms</p>\n",
                           run.build_ms, run.run_ms, run.teardown_ms);
        if (!run.steps.empty()) {
            out += "<table><tr><th>step</th><th>ms</th></tr>\n";
            for (const auto& s : run.steps)
                out += fmt::format("<tr class={}><td>{}</td><td>{:.1f}</td></tr>\n",
                                   s.ok ? "pass" : "fail", xml_escape(s.what), s.ms);
            out += "</table>\n";
        }
        out += "<table><tr><th>process</th><th>check</th><th>expected</th><th>got</th></tr>\n";
        for (const auto& c : run.checks) {
            out += fmt::format("<tr class={}><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n",
                               c.passed ? "pass" : "fail", xml_escape(c.process),
                               xml_escape(c.what), xml_escape(c.expected), xml_escape(c.actual));
        }
        out += "</table>\n";
        if (!run.captures.empty())
            out += fmt::format("<p class=file>captures: {}</p>\n",
                               xml_escape(fmt::format("{}", fmt::join(run.captures, " "))));
        if (!run.ladder.rows.empty()) out += ladder_table(run.ladder);
        for (const auto& f : run_logs(run, 16384)) {
            out += fmt::format("<details><summary>{}</summary><pre>{}</pre></details>\n",
                               xml_escape(f.name), xml_escape(f.text));
        }
    }
    return out + "</section>\n";
}

constexpr const char* kStyle = R"(body{font:14px/1.4 sans-serif;margin:2em;color:#222}
h1{font-size:20px}h2{font-size:17px;margin-top:2em}h3{font-size:15px;margin:0}
table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ccc;padding:3px 8px;text-align:left;vertical-align:top}
.grid td{text-align:center;min-width:7em}.grid a{color:inherit;text-decoration:none}
td.pass,tr.pass td:first-child{background:#d4f4d4}td.fail,tr.fail td{background:#f8d0d0}td.skip{background:#eee;color:#777}
section{border-left:6px solid #9c9;padding:.5em 1em;margin:1em 0}section.fail{border-color:#d66}section.skip{border-color:#bbb}
.tag{font-size:12px;padding:1px 6px;border-radius:3px;background:#eee}.error{color:#a00}
.ladder td.n{text-align:center;padding:0 2px;min-width:7em;color:#36c}
.ladder td.m{background:linear-gradient(#36c,#36c) center/100% 2px no-repeat}
.ladder td.r{background:linear-gradient(#36c,#36c) right center/50% 2px no-repeat}
.ladder td.l{background:linear-gradient(#36c,#36c) left center/50% 2px no-repeat}
.ladder td{font:12px monospace;border-color:#eee}.ladder em{color:#a50}
pre{background:#f6f6f6;padding:.5em;overflow:auto;max-height:30em}.diagram{background:#fffbe6}.file{color:#666;margin:0})";

}  // namespace

std::string topology_diagram(const std::string& file) {
    std::ifstream in(file);
    std::string out, line;
    while (std::getline(in, line)) {
        if (line.empty() || line[0] != '#') break;
        line.erase(0, line.size() > 1 && line[1] == ' ' ? 2 : 1);
        out += line + "\n";
    }
    return out;
}

std::string html_report(const std::vector<ScenarioResult>& results) {
    size_t pass = 0, fail = 0, skip = 0;
    for (const auto& r : results) {
        const std::string v = verdict(r);
        (v == "pass" ? pass : v == "skip" ? skip : fail) += 1;
    }
    std::string out = fmt::format(
        "<!DOCTYPE html>\n<html lang=en><head><meta charset=utf-8><title>testbed "
        "report</title><style>{}</style></head><body>\n"
        "<h1>testbed: {} scenarios, {} passed, {} failed, {} skipped</h1>\n",
        kStyle, results.size(), pass, fail, skip);
    for (const auto& cells : matrix_groups(results)) {
        out += fmt::format("<h2>{}</h2>\n", xml_escape(cells.front()->topo->matrix_name));
        out += matrix_grid(cells);
    }
    out += "<h2>Scenarios</h2>\n<table><tr><th>scenario</th><th>result</th></tr>\n";
    for (const auto& r : results)
        out += fmt::format("<tr><td><a href=\"#{}\">{}</a></td><td class={}>{}</td></tr>\n",
                           anchor(r), xml_escape(r.topo->name), verdict(r), verdict(r));
    out += "</table>\n";
    for (const auto& r : results) out += scenario_section(r);
    return out + "</body></html>\n";
}

}  // namespace testbed
