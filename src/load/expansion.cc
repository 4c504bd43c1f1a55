// How large a file's matrix makes it: each cell is a whole topology with
// its ${name}s filled in, and `validate` and `run` hold every cell. A
// 1 MiB file could otherwise ask for gigabytes (a 200 KB value filled in
// 150,000 times; 1,024 cells of 20,000 steps): bounded here, before any
// cell exists, with an error at the line that crosses the bound.

#include <fmt/core.h>

#include <algorithm>
#include <map>

#include "load/sections.h"
#include "model/json_text.h"
#include "model/template.h"

namespace testbed::sections {
namespace {

/// What a run fills in besides the matrix, at its longest: run_dir is a
/// path (PATH_MAX), an address at most an IPv6 one.
constexpr size_t kLongestRunDir = 4096;
constexpr size_t kLongestAddress = 64;

/// The longest value each ${name} can take in some cell.
std::map<std::string, size_t> longest_values(const Topology& topo) {
    std::map<std::string, size_t> longest{{"run_dir", kLongestRunDir}};
    for (const auto& [name, value] : address_variables(topo)) longest[name] = kLongestAddress;
    if (!topo.matrix) return longest;
    for (const auto& a : topo.matrix->axes) {
        size_t most = 0;
        for (const auto& label : a.labels) most = std::max(most, label.size());
        longest[a.key] = most;
    }
    for (const auto& t : topo.matrix->tables) {
        size_t most = 0;
        for (const auto& [key, value] : t.values) most = std::max(most, value.size());
        longest[t.name] = most;
    }
    return longest;
}

class TextBudget {
  public:
    TextBudget(YamlReader& r, const Topology& topo, size_t cells)
        : r_(r), longest_(longest_values(topo)), cells_(cells) {}

    /// Adds `text` at its longest; the first text past a bound is an error.
    void add(const std::string& text, SourceLoc loc, const std::string& where) {
        size_t size = text.size();
        for (const auto& name : variables_in(text)) {
            auto it = longest_.find(name);
            if (it != longest_.end()) size += it->second;
        }
        total_ += size;
        if (failed_) return;
        if (total_ > kMaxCellText) {
            failed_ = true;
            r_.diag().error(loc, fmt::format("{}: with every ${{name}} filled in, a scenario's "
                                             "text could reach {} bytes here, more than {}",
                                             where, total_, kMaxCellText));
        } else if (total_ * cells_ > kMaxMatrixText) {
            failed_ = true;
            r_.diag().error(loc, fmt::format("{}: the matrix's {} scenarios could hold {} bytes "
                                             "of text with their values filled in, more than {}",
                                             where, cells_, total_ * cells_, kMaxMatrixText));
        }
    }

    bool within() const { return !failed_; }

  private:
    YamlReader& r_;
    std::map<std::string, size_t> longest_;
    size_t cells_;
    size_t total_ = 0;
    bool failed_ = false;
};

size_t cells_of(const Topology& topo) {
    size_t cells = 1;
    if (!topo.matrix) return cells;
    for (const auto& a : topo.matrix->axes) cells *= std::max<size_t>(a.labels.size(), 1);
    return cells;
}

}  // namespace

bool check_expansion_bounds(YamlReader& r, const Topology& topo) {
    const size_t cells = cells_of(topo);
    const size_t items = topo.steps.size() + topo.expectations.size() + topo.traffic.size();
    if (cells > 1 && cells * items > kMaxMatrixItems) {
        r.diag().error(topo.matrix->loc,
                       fmt::format("matrix: {} scenarios of {} steps, expectations and traffic "
                                   "checks each make {}, more than {}; fewer cells or steps",
                                   cells, items, cells * items, kMaxMatrixItems));
        return false;
    }
    TextBudget budget(r, topo, cells);
    for (const auto& step : topo.steps) {
        const auto* s = std::get_if<StartStep>(&step.action);
        if (!s) continue;
        for (const auto& arg : s->argv) budget.add(arg, step.loc, fmt::format("start {}", s->name));
        for (const auto& [key, value] : s->env)
            budget.add(value, step.loc, fmt::format("start {} env {}", s->name, key));
        budget.add(s->ready.regex, step.loc, fmt::format("start {} ready", s->name));
    }
    for (const auto& f : topo.files)
        budget.add(f.content, f.loc, fmt::format("files '{}'", f.path));
    for (const auto& e : topo.expectations) {
        budget.add(json_text(e.json), e.loc, fmt::format("expect {}", e.process));
        for (const auto& p : e.output)
            budget.add(p.regex, p.loc, fmt::format("expect {} {}", e.process, p.key()));
    }
    for (const auto& t : topo.traffic)
        budget.add(t.via, t.loc, fmt::format("traffic between {} and {}", t.a, t.b));
    return budget.within();
}

}  // namespace testbed::sections
