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

namespace {

/// The values of the axes past the first two, as "a=x, b=y" (one table each).
std::string rest_of(const Topology& t) {
    std::string rest;
    for (size_t a = 2; a < t.cell.size(); ++a)
        rest += fmt::format("{}{}={}", rest.empty() ? "" : ", ", t.cell[a].first, t.cell[a].second);
    return rest;
}

/// Each value an axis takes among the cells, in order of appearance.
std::vector<std::string> values_of(const std::vector<const ScenarioResult*>& cells, size_t axis) {
    std::vector<std::string> v;
    for (const auto* c : cells) {
        const std::string& label = c->topo->cell.at(axis).second;
        if (std::find(v.begin(), v.end(), label) == v.end()) v.push_back(label);
    }
    return v;
}

const ScenarioResult* find_cell(const std::vector<const ScenarioResult*>& cells,
                                const std::string& row, const std::string& col,
                                const std::string& rest) {
    for (const auto* c : cells) {
        const auto& cell = c->topo->cell;
        if (cell[0].second == row && (cell.size() < 2 || cell[1].second == col) &&
            rest_of(*c->topo) == rest)
            return c;
    }
    return nullptr;
}

/// "direct ok", "direct FAIL (expected relay)", "relay 3/5", "skip": what
/// happened first, then what was expected where it differs.
std::string cell_text(const ScenarioResult& hit) {
    const std::string& outcome = hit.topo->outcome;
    if (hit.all_skipped()) return outcome.empty() ? "skip" : fmt::format("{} skip", outcome);
    if (hit.runs.size() > 1) {
        const std::string counts =
            fmt::format("{}/{}", hit.passes(), hit.runs.size() - hit.skips());
        return outcome.empty() ? counts : fmt::format("{} {}", outcome, counts);
    }
    if (hit.passes() == 1) return outcome.empty() ? "ok" : fmt::format("{} ok", outcome);
    const std::string came = what_came(hit.runs.front(), outcome);
    return fmt::format("{}FAIL{}", came.empty() ? "" : came + " ",
                       outcome.empty() ? "" : fmt::format(" (expected {})", outcome));
}

std::string percent(size_t pass, size_t total) {
    return fmt::format(
        "{:.0f}%", total ? 100.0 * static_cast<double>(pass) / static_cast<double>(total) : 0.0);
}

/// The grid as aligned columns.
std::string render(const std::vector<std::vector<std::string>>& grid) {
    std::vector<size_t> widths(grid[0].size(), 0);
    for (const auto& line : grid) {
        for (size_t i = 0; i < line.size() && i < widths.size(); ++i)
            widths[i] = std::max(widths[i], line[i].size());
    }
    std::string out;
    for (const auto& line : grid) {
        std::string text = " ";
        for (size_t i = 0; i < line.size(); ++i) text += fmt::format(" {:<{}}", line[i], widths[i]);
        while (!text.empty() && text.back() == ' ') text.pop_back();
        out += text + "\n";
    }
    return out;
}

/// One table: the first axis as rows, the second as columns, pass counts per row.
std::string format_table(const std::vector<const ScenarioResult*>& cells, const std::string& rest) {
    const auto& axes = cells.front()->topo->cell;
    const auto rows = values_of(cells, 0);
    const auto cols = axes.size() > 1 ? values_of(cells, 1) : std::vector<std::string>{""};
    std::vector<std::vector<std::string>> grid{
        {fmt::format("{} \\ {}", axes[0].first, axes.size() > 1 ? axes[1].first : "")}};
    grid[0].insert(grid[0].end(), cols.begin(), cols.end());
    grid[0].push_back("passed");
    size_t table_pass = 0, table_total = 0;
    for (const auto& row : rows) {
        std::vector<std::string> line{row};
        size_t row_pass = 0, row_total = 0;
        for (const auto& col : cols) {
            const ScenarioResult* hit = find_cell(cells, row, col, rest);
            line.push_back(hit ? cell_text(*hit) : "-");
            if (!hit) continue;
            row_pass += hit->passes();
            row_total += hit->runs.size() - hit->skips();
        }
        line.push_back(fmt::format("{}/{} {}", row_pass, row_total, percent(row_pass, row_total)));
        table_pass += row_pass;
        table_total += row_total;
        grid.push_back(line);
    }
    const std::string& name = cells.front()->topo->matrix_name;
    return fmt::format("{}{}\n{}  total: {}/{} passed ({})\n\n", name,
                       rest.empty() ? "" : fmt::format(" ({})", rest), render(grid), table_pass,
                       table_total, percent(table_pass, table_total));
}

}  // namespace

std::string what_came(const RunReport& run, const std::string& outcome) {
    for (const auto& c : run.checks) {
        if (c.passed || outcome.empty() || c.expected.find(outcome) == std::string::npos) continue;
        std::string actual = c.actual;
        if (actual.size() >= 2 && actual.front() == '"' && actual.back() == '"')
            actual = actual.substr(1, actual.size() - 2);
        return actual;
    }
    return run.errors.empty() ? "" : "error";
}

std::string format_matrix_tables(const std::vector<ScenarioResult>& results) {
    std::string out;
    for (auto cells : matrix_groups(results)) {
        // Cells that never ran (an interrupted suite) are left out of the tables.
        std::erase_if(cells, [](const ScenarioResult* c) { return c->runs.empty(); });
        if (cells.empty()) continue;
        // One table per combination of the other axes.
        std::vector<std::string> rests;
        for (const auto* c : cells) {
            const std::string rest = rest_of(*c->topo);
            if (std::find(rests.begin(), rests.end(), rest) == rests.end()) rests.push_back(rest);
        }
        for (const auto& rest : rests) out += format_table(cells, rest);
    }
    return out;
}

}  // namespace testbed
