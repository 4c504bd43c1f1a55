#include "expand/matrix.h"

#include <fmt/core.h>
#include <fmt/ranges.h>

#include <algorithm>

namespace testbed {

namespace {

nlohmann::json substitute_json(const nlohmann::json& j,
                               const std::map<std::string, std::string>& values) {
    if (j.is_string()) return substitute(j.get<std::string>(), values);
    if (j.is_object()) {
        nlohmann::json out = nlohmann::json::object();
        for (const auto& [k, v] : j.items()) out[k] = substitute_json(v, values);
        return out;
    }
    if (j.is_array()) {
        nlohmann::json out = nlohmann::json::array();
        for (const auto& v : j) out.push_back(substitute_json(v, values));
        return out;
    }
    return j;
}

/// A cell's exit code from `exit: ${var}`: a number from 0 to 255, or
/// nothing (the validator says which cell).
std::optional<int> exit_code_of(const std::string& text) {
    if (text.empty() || text.size() > 3) return std::nullopt;
    int value = 0;
    for (const char c : text) {
        if (c < '0' || c > '9') return std::nullopt;
        value = value * 10 + (c - '0');
    }
    if (value > 255) return std::nullopt;
    return value;
}

/// One field of a router's behaviour, as a behaviour map with that key would set it.
void set_field(Router& r, const std::string& field, Behaviour value) {
    if (!r.nat) r.nat = NatSpec{};
    NatBehaviour& b = r.nat->behaviour;
    r.nat->preset.clear();
    if (field == "filtering") {
        b.filtering = value;
        return;
    }
    b.mapping = value;
    // As in a map without `ports`: a new mapping per destination cannot keep one port.
    if (value != Behaviour::endpoint_independent && b.ports == PortAssignment::preserve)
        b.ports = PortAssignment::random;
}

Topology make_cell(const Topology& base, const Matrix& m, const std::vector<size_t>& index) {
    Topology cell = base;
    cell.matrix.reset();
    cell.matrix_name = base.name;
    std::map<std::string, std::string> values;
    std::vector<std::string> labels;
    for (size_t a = 0; a < m.axes.size(); ++a) {
        const MatrixAxis& axis = m.axes[a];
        const std::string& label = axis.labels[index[a]];
        values[axis.key] = label;
        labels.push_back(label);
        cell.cell.emplace_back(axis.key, label);
        if (axis.router.empty()) continue;
        const auto routers = axis_routers(axis);
        for (auto& r : cell.routers) {
            if (std::find(routers.begin(), routers.end(), r.name) == routers.end()) continue;
            if (axis.field.empty()) {
                r.nat = axis.nats[index[a]];
                continue;
            }
            if (axis.field == kPortMappingField) {
                r.port_mapping = axis.port_mappings[index[a]];
                continue;
            }
            set_field(r, axis.field, axis.behaviours[index[a]]);
        }
    }
    for (const auto& t : m.tables) {
        std::vector<std::string> labels_of_cell;
        for (const auto& axis : t.axes) labels_of_cell.push_back(values[axis]);
        auto it = t.values.find(labels_of_cell);
        if (it == t.values.end()) continue;
        values[t.name] = it->second;
        cell.outcome += (cell.outcome.empty() ? "" : " ") + it->second;
        if (auto why = t.reasons.find(labels_of_cell); why != t.reasons.end())
            cell.outcome_reason += (cell.outcome_reason.empty() ? "" : "; ") + why->second;
    }
    cell.name = fmt::format("{}[{}]", base.name, fmt::join(labels, ","));
    for (auto& step : cell.steps) {
        if (auto* s = std::get_if<StartStep>(&step.action)) {
            for (auto& arg : s->argv) arg = substitute(arg, values);
            for (auto& [key, value] : s->env) value = substitute(value, values);
            s->ready.regex = substitute(s->ready.regex, values);
        }
    }
    for (auto& f : cell.files) f.content = substitute(f.content, values);
    for (auto& e : cell.expectations) {
        e.json = substitute_json(e.json, values);
        for (const auto& pointer : e.typed_json) {
            auto& value = e.json.at(nlohmann::json::json_pointer(pointer));
            if (auto typed =
                    value.is_string() ? plain_scalar(value.get<std::string>()) : std::nullopt)
                value = *typed;
        }
        for (auto& p : e.output) p.regex = substitute(p.regex, values);
        if (e.exit_template) e.exit_code = exit_code_of(substitute(*e.exit_template, values));
    }
    for (auto& t : cell.traffic) t.via = substitute(t.via, values);
    return cell;
}

}  // namespace

std::vector<Topology> expand_matrix(const Topology& topo) {
    if (!topo.matrix || topo.matrix->axes.empty()) return {topo};
    const Matrix& m = *topo.matrix;
    for (const auto& a : m.axes) {
        if (a.labels.empty()) return {};
    }
    std::vector<Topology> out;
    std::vector<size_t> index(m.axes.size(), 0);
    while (true) {
        out.push_back(make_cell(topo, m, index));
        // Odometer: the last axis varies fastest.
        size_t a = m.axes.size();
        while (a > 0) {
            --a;
            if (++index[a] < m.axes[a].labels.size()) break;
            index[a] = 0;
            if (a == 0) return out;
        }
    }
}

}  // namespace testbed
