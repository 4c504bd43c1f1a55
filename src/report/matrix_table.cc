#include "report/matrix_table.h"

#include <fmt/core.h>

#include <algorithm>
#include <map>

namespace testbed {

std::vector<std::vector<const ScenarioResult*>> matrix_groups(
    const std::vector<ScenarioResult>& results) {
    std::vector<std::string> order;
    std::map<std::string, std::vector<const ScenarioResult*>> groups;
    for (const auto& r : results) {
        if (r.topo->cell.empty()) continue;
        const std::string key = r.topo->file + "\n" + r.topo->matrix_name;
        if (!groups.count(key)) order.push_back(key);
        groups[key].push_back(&r);
    }
    std::vector<std::vector<const ScenarioResult*>> out;
    out.reserve(order.size());
    for (const auto& key : order) out.push_back(std::move(groups[key]));
    return out;
}

std::string format_matrix_tables(const std::vector<ScenarioResult>& results) {
    std::string out;
    size_t all_pass = 0, all_total = 0;
    for (auto cells : matrix_groups(results)) {
        // Cells that never ran (an interrupted suite) are left out of the tables.
        std::erase_if(cells, [](const ScenarioResult* c) { return c->runs.empty(); });
        if (cells.empty()) continue;
        const auto& axes = cells.front()->topo->cell;
        const std::string& name = cells.front()->topo->matrix_name;
        auto values_of = [&](size_t axis) {
            std::vector<std::string> v;
            for (const auto* c : cells) {
                const std::string& label = c->topo->cell.at(axis).second;
                if (std::find(v.begin(), v.end(), label) == v.end()) v.push_back(label);
            }
            return v;
        };
        const auto rows = values_of(0);
        const auto cols = axes.size() > 1 ? values_of(1) : std::vector<std::string>{""};
        // One table per combination of the other axes.
        std::vector<std::string> rest_keys;
        for (const auto* c : cells) {
            std::string rest;
            for (size_t a = 2; a < c->topo->cell.size(); ++a)
                rest += fmt::format("{}{}={}", rest.empty() ? "" : ", ", c->topo->cell[a].first,
                                    c->topo->cell[a].second);
            if (std::find(rest_keys.begin(), rest_keys.end(), rest) == rest_keys.end())
                rest_keys.push_back(rest);
        }
        for (const auto& rest : rest_keys) {
            out += fmt::format("{}{}\n", name, rest.empty() ? "" : fmt::format(" ({})", rest));
            std::vector<std::vector<std::string>> grid;
            std::vector<std::string> header{
                fmt::format("{} \\ {}", axes[0].first, axes.size() > 1 ? axes[1].first : "")};
            for (const auto& c : cols) header.push_back(c);
            header.push_back("passed");
            grid.push_back(header);
            size_t table_pass = 0, table_total = 0;
            for (const auto& row : rows) {
                std::vector<std::string> line{row};
                size_t row_pass = 0, row_total = 0;
                for (const auto& col : cols) {
                    const ScenarioResult* hit = nullptr;
                    for (const auto* c : cells) {
                        std::string crest;
                        for (size_t a = 2; a < c->topo->cell.size(); ++a)
                            crest += fmt::format("{}{}={}", crest.empty() ? "" : ", ",
                                                 c->topo->cell[a].first, c->topo->cell[a].second);
                        if (c->topo->cell[0].second == row &&
                            (axes.size() < 2 || c->topo->cell[1].second == col) && crest == rest)
                            hit = c;
                    }
                    if (!hit) {
                        line.push_back("-");
                        continue;
                    }
                    const size_t p = hit->passes(), n = hit->runs.size() - hit->skips();
                    std::string mark = hit->skips() == hit->runs.size() ? "skip"
                                       : hit->runs.size() == 1          ? (p == 1 ? "ok" : "FAIL")
                                                               : fmt::format("{}/{}", p, n);
                    line.push_back(hit->topo->outcome.empty()
                                       ? mark
                                       : fmt::format("{} {}", hit->topo->outcome, mark));
                    row_pass += p;
                    row_total += n;
                }
                line.push_back(fmt::format("{}/{} {:.0f}%", row_pass, row_total,
                                           row_total ? 100.0 * static_cast<double>(row_pass) /
                                                           static_cast<double>(row_total)
                                                     : 0.0));
                table_pass += row_pass;
                table_total += row_total;
                grid.push_back(line);
            }
            std::vector<size_t> widths(grid[0].size(), 0);
            for (const auto& line : grid) {
                for (size_t i = 0; i < line.size() && i < widths.size(); ++i)
                    widths[i] = std::max(widths[i], line[i].size());
            }
            for (const auto& line : grid) {
                std::string text = " ";
                for (size_t i = 0; i < line.size(); ++i)
                    text += fmt::format(" {:<{}}", line[i], widths[i]);
                while (!text.empty() && text.back() == ' ') text.pop_back();
                out += text + "\n";
            }
            out += fmt::format("  total: {}/{} passed ({:.0f}%)\n\n", table_pass, table_total,
                               table_total ? 100.0 * static_cast<double>(table_pass) /
                                                 static_cast<double>(table_total)
                                           : 0.0);
            all_pass += table_pass;
            all_total += table_total;
        }
    }
    (void)all_pass;
    (void)all_total;
    return out;
}

}  // namespace testbed
