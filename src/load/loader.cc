#include "load/loader.h"

#include <fmt/core.h>
#include <fmt/ranges.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "model/template.h"

namespace testbed {
namespace {

SourceLoc loc_of(const YAML::Node& node) {
    const YAML::Mark mark = node.Mark();
    if (mark.line < 0) return {};
    return {mark.line + 1, mark.column + 1};
}

std::string kind_of(const YAML::Node& node) {
    switch (node.Type()) {
        case YAML::NodeType::Map:
            return "a map";
        case YAML::NodeType::Sequence:
            return "a list";
        case YAML::NodeType::Scalar:
            return fmt::format("'{}'", node.Scalar());
        case YAML::NodeType::Null:
        case YAML::NodeType::Undefined:
            return "nothing";
    }
    return "?";
}

/// Reads one file's YAML tree into a Topology, reporting into Diagnostics.
class Reader {
  public:
    explicit Reader(Diagnostics& diag) : diag_(diag) {}

    Topology read(const YAML::Node& root) {
        Topology topo;
        topo.file = diag_.file();
        check_keys(
            root,
            {"name", "description", "networks", "hosts", "routers", "run", "expect", "matrix"},
            "top level");
        if (auto n = root["name"]) topo.name = scalar(n, "name", "a scenario name");
        if (auto n = root["description"]) topo.description = scalar(n, "description", "text");
        if (auto n = root["networks"])
            read_networks(n, topo);
        else
            diag_.error({}, "no 'networks' section; expected a map of network name to subnet");
        if (auto n = root["hosts"]) read_hosts(n, topo);
        if (auto n = root["routers"]) read_routers(n, topo);
        if (auto n = root["run"]) read_steps(n, topo);
        if (auto n = root["expect"]) read_expectations(n, topo);
        if (auto n = root["matrix"]) read_matrix(n, topo);
        check_variables(topo);
        return topo;
    }

  private:
    Diagnostics& diag_;
    std::map<std::string, SourceLoc> node_names_;

    bool expect_map(const YAML::Node& node, const std::string& what, const std::string& expected) {
        if (node.IsMap()) return true;
        diag_.error(loc_of(node),
                    fmt::format("{}: expected {}, found {}", what, expected, kind_of(node)));
        return false;
    }

    std::string scalar(const YAML::Node& node, const std::string& what,
                       const std::string& expected) {
        if (node.IsScalar()) return node.Scalar();
        diag_.error(loc_of(node),
                    fmt::format("{}: expected {}, found {}", what, expected, kind_of(node)));
        return {};
    }

    std::optional<int> integer(const YAML::Node& node, const std::string& what, int min, int max) {
        const std::string text =
            scalar(node, what, fmt::format("a whole number from {} to {}", min, max));
        if (text.empty()) return std::nullopt;
        try {
            size_t used = 0;
            const long value = std::stol(text, &used);
            if (used == text.size() && value >= min && value <= max) return static_cast<int>(value);
        } catch (const std::exception&) {
        }
        diag_.error(loc_of(node),
                    fmt::format("{}: expected a whole number from {} to {}, found '{}'", what, min,
                                max, text));
        return std::nullopt;
    }

    std::optional<bool> boolean(const YAML::Node& node, const std::string& what) {
        const std::string text = scalar(node, what, "true or false");
        if (text == "true" || text == "yes" || text == "on") return true;
        if (text == "false" || text == "no" || text == "off") return false;
        if (!text.empty())
            diag_.error(loc_of(node),
                        fmt::format("{}: expected true or false, found '{}'", what, text));
        return std::nullopt;
    }

    std::optional<Duration> duration(const YAML::Node& node, const std::string& what) {
        const std::string text = scalar(node, what, "a duration like 15s or 500ms");
        if (text.empty()) return std::nullopt;
        if (auto d = parse_duration(text)) return d;
        diag_.error(
            loc_of(node),
            fmt::format("{}: expected a duration like 15s, 500ms or 2m, found '{}'", what, text));
        return std::nullopt;
    }

    void check_keys(const YAML::Node& map, std::initializer_list<std::string_view> known,
                    const std::string& where) {
        if (!map.IsMap()) return;
        for (const auto& entry : map) {
            const std::string key = entry.first.Scalar();
            bool ok = false;
            for (auto k : known) ok = ok || k == key;
            if (!ok) {
                diag_.error(loc_of(entry.first),
                            fmt::format("unknown key '{}' in {}; expected one of: {}", key, where,
                                        fmt::join(known, ", ")));
            }
        }
    }

    bool claim_node_name(const YAML::Node& key) {
        const std::string& name = key.Scalar();
        std::string why;
        if (!is_valid_node_name(name, &why)) {
            diag_.error(loc_of(key), fmt::format("node name '{}': {}", name, why));
            return false;
        }
        auto [it, fresh] = node_names_.emplace(name, loc_of(key));
        if (!fresh) {
            diag_.error(loc_of(key), fmt::format("node '{}' is defined twice (first at line {}); "
                                                 "hosts and routers share one set of names",
                                                 name, it->second.line));
            return false;
        }
        return true;
    }

    void read_networks(const YAML::Node& node, Topology& topo) {
        if (!expect_map(node, "networks",
                        "a map of network name to subnet (internet: 203.0.113.0/24)"))
            return;
        for (const auto& entry : node) {
            const std::string name = entry.first.Scalar();
            std::string why;
            if (!is_valid_interface_name(name, &why)) {
                diag_.error(loc_of(entry.first), fmt::format("network name '{}': {}", name, why));
                continue;
            }
            if (topo.find_network(name)) {
                diag_.error(loc_of(entry.first),
                            fmt::format("network '{}' is defined twice", name));
                continue;
            }
            const std::string text = scalar(entry.second, fmt::format("network '{}'", name),
                                            "a subnet like 10.0.1.0/24");
            auto subnet = Subnet::parse(text, &why);
            if (!subnet) {
                diag_.error(loc_of(entry.second),
                            fmt::format("network '{}': bad subnet '{}': {}", name, text, why));
            }
            topo.networks.push_back(
                {name, subnet.value_or(Subnet{}), loc_of(entry.first), subnet.has_value()});
        }
    }

    std::optional<AddressSpec> address(const YAML::Node& node, const std::string& what) {
        const std::string text = scalar(node, what, "an IPv4 address or auto");
        if (text.empty()) return std::nullopt;
        if (text == "auto") return AddressSpec{std::nullopt, loc_of(node)};
        if (auto ip = Ipv4::parse(text)) return AddressSpec{*ip, loc_of(node)};
        diag_.error(
            loc_of(node),
            fmt::format("{}: bad address '{}'; expected an IPv4 address like 10.0.1.2 or auto",
                        what, text));
        return std::nullopt;
    }

    /// `{ network: address }`, `{ network: [a, b] }`, one entry per network.
    std::vector<Attachment> attachments(const YAML::Node& node, const std::string& what) {
        std::vector<Attachment> result;
        if (!expect_map(node, what, "a map of network name to address ({ home-a: auto })"))
            return result;
        for (const auto& entry : node) {
            Attachment att;
            att.network = entry.first.Scalar();
            att.loc = loc_of(entry.first);
            const std::string where = fmt::format("{} on network '{}'", what, att.network);
            if (entry.second.IsSequence()) {
                if (entry.second.size() == 0)
                    diag_.error(att.loc, where + ": the address list is empty");
                for (const auto& item : entry.second) {
                    if (auto a = address(item, where)) att.addresses.push_back(*a);
                }
            } else if (auto a = address(entry.second, where)) {
                att.addresses.push_back(*a);
            }
            for (const auto& other : result) {
                if (other.network == att.network)
                    diag_.error(att.loc, where + ": network named twice");
            }
            result.push_back(std::move(att));
        }
        return result;
    }

    void read_hosts(const YAML::Node& node, Topology& topo) {
        if (!expect_map(node, "hosts", "a map of host name to its networks")) return;
        for (const auto& entry : node) {
            if (!claim_node_name(entry.first)) continue;
            Host host;
            host.name = entry.first.Scalar();
            host.loc = loc_of(entry.first);
            host.attachments = attachments(entry.second, fmt::format("host '{}'", host.name));
            topo.hosts.push_back(std::move(host));
        }
    }

    void read_routers(const YAML::Node& node, Topology& topo) {
        if (!expect_map(node, "routers", "a map of router name to wan, lan and nat")) return;
        for (const auto& entry : node) {
            if (!claim_node_name(entry.first)) continue;
            Router router;
            router.name = entry.first.Scalar();
            router.loc = loc_of(entry.first);
            const std::string what = fmt::format("router '{}'", router.name);
            const YAML::Node& body = entry.second;
            if (!expect_map(body, what, "a map with wan, lan and optionally nat or firewall"))
                continue;
            check_keys(body, {"wan", "lan", "nat", "firewall"}, what);
            if (auto wan = body["wan"]) {
                auto list = attachments(wan, what + " wan");
                if (list.size() == 1 && list[0].addresses.size() == 1) {
                    router.wan = list[0];
                } else if (wan.IsMap()) {
                    diag_.error(loc_of(wan),
                                what + " wan: expected exactly one network with one address");
                }
            } else {
                diag_.error(router.loc, what + ": no 'wan'; expected wan: { NETWORK: ADDRESS }");
            }
            if (auto lan = body["lan"]) {
                router.lans = attachments(lan, what + " lan");
                if (lan.IsMap() && router.lans.empty())
                    diag_.error(loc_of(lan), what + " lan: expected at least one network");
            } else {
                diag_.error(router.loc, what + ": no 'lan'; expected lan: { NETWORK: auto }");
            }
            if (auto nat = body["nat"]) router.nat = read_nat(nat, what);
            if (auto fw = body["firewall"]) router.firewall = read_firewall(fw, what);
            if (router.nat && router.firewall) {
                diag_.error(loc_of(body["firewall"]),
                            what +
                                ": 'firewall' is for routers without translation; a NAT filters by "
                                "its 'filtering' key");
            }
            topo.routers.push_back(std::move(router));
        }
    }

    std::optional<Behaviour> behaviour(const YAML::Node& node, const std::string& what,
                                       bool allow_none) {
        const std::string text = scalar(node, what, "a behaviour");
        if (text.empty()) return std::nullopt;
        auto b = parse_behaviour(text);
        if (b && (allow_none || *b != Behaviour::none)) return b;
        diag_.error(loc_of(node),
                    fmt::format("{}: unknown behaviour '{}'; expected {}endpoint-independent, "
                                "address-dependent or address-and-port-dependent",
                                what, text, allow_none ? "none, " : ""));
        return std::nullopt;
    }

    static constexpr size_t kMaxCells = 1024;

    /// `matrix:`: axes (lists) and tables (maps), in any order.
    void read_matrix(const YAML::Node& node, Topology& topo) {
        if (!expect_map(node, "matrix", "a map of axis to list of values")) return;
        Matrix m;
        m.loc = loc_of(node);
        std::vector<std::pair<std::string, YAML::Node>> tables;
        for (const auto& kv : node) {
            const std::string key = kv.first.Scalar();
            if (kv.second.IsSequence()) {
                if (auto axis = read_axis(key, kv.first, kv.second, topo)) m.axes.push_back(*axis);
            } else if (kv.second.IsMap()) {
                tables.emplace_back(key, kv.second);
            } else {
                diag_.error(loc_of(kv.second),
                            fmt::format("matrix {}: expected a list of values, or a table "
                                        "(rows, columns, values or file), found {}",
                                        key, kind_of(kv.second)));
            }
        }
        for (const auto& [key, table] : tables) {
            if (auto t = read_table(key, table, m)) m.tables.push_back(*t);
        }
        size_t cells = 1;
        for (const auto& a : m.axes) cells *= std::max<size_t>(1, a.labels.size());
        if (m.axes.empty()) {
            diag_.error(m.loc, "matrix: expected at least one axis (a key with a list of values)");
        } else if (cells > kMaxCells) {
            diag_.error(m.loc,
                        fmt::format("matrix: {} cells; expected at most {}", cells, kMaxCells));
        }
        topo.matrix = std::move(m);
    }

    std::optional<MatrixAxis> read_axis(const std::string& key, const YAML::Node& key_node,
                                        const YAML::Node& values, const Topology& topo) {
        MatrixAxis axis;
        axis.key = key;
        axis.loc = loc_of(key_node);
        const bool nat_axis = key.size() > 4 && key.ends_with(".nat");
        for (const char* field : {"mapping", "filtering"}) {
            const std::string suffix = std::string(".nat.") + field;
            if (key.size() > suffix.size() && key.ends_with(suffix)) {
                axis.router = key.substr(0, key.size() - suffix.size());
                axis.field = field;
            }
        }
        if (!axis.field.empty()) {
            if (!topo.find_router(axis.router)) {
                diag_.error(axis.loc,
                            fmt::format("matrix {}: unknown router '{}'", key, axis.router));
                return std::nullopt;
            }
            for (const auto& v : values) {
                if (auto b =
                        behaviour(v, fmt::format("matrix {}", key), axis.field == "filtering")) {
                    axis.labels.push_back(v.Scalar());
                    axis.behaviours.push_back(*b);
                }
            }
            return axis;
        }
        if (nat_axis) {
            axis.router = key.substr(0, key.size() - 4);
            if (!topo.find_router(axis.router)) {
                diag_.error(axis.loc,
                            fmt::format("matrix {}: unknown router '{}'", key, axis.router));
                return std::nullopt;
            }
        } else if (!is_variable_name(key)) {
            diag_.error(axis.loc,
                        fmt::format("matrix {}: expected ROUTER.nat, ROUTER.nat.mapping, "
                                    "ROUTER.nat.filtering or a variable name (letters, digits, "
                                    "'-', '_')",
                                    key));
            return std::nullopt;
        }
        if (values.size() == 0) {
            diag_.error(loc_of(values), fmt::format("matrix {}: expected at least one value", key));
            return std::nullopt;
        }
        for (const auto& v : values) {
            if (nat_axis) {
                auto spec = read_nat(v, fmt::format("matrix {}", key));
                if (!spec) continue;
                axis.labels.push_back(spec->preset.empty() ? short_label(spec->behaviour)
                                                           : spec->preset);
                axis.nats.push_back(*spec);
            } else {
                axis.labels.push_back(scalar(v, fmt::format("matrix {}", key), "a value"));
            }
        }
        return axis;
    }

    static bool is_variable_name(const std::string& name) {
        return !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
            return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_';
        });
    }

    const MatrixAxis* axis_named(const Matrix& m, const std::string& key, const YAML::Node& at,
                                 const std::string& what) {
        for (const auto& a : m.axes) {
            if (a.key == key) return &a;
        }
        diag_.error(loc_of(at), fmt::format("{}: '{}' is not an axis of the matrix", what, key));
        return nullptr;
    }

    /// A table: `rows` and `columns` name two axes; `values` is a list of
    /// rows, or `file` names a CSV (first row: a corner cell and the column
    /// values; then each row's value and its cells).
    std::optional<MatrixTable> read_table(const std::string& name, const YAML::Node& node,
                                          const Matrix& m) {
        const std::string what = fmt::format("matrix {}", name);
        check_keys(node, {"rows", "columns", "values", "file"}, what);
        MatrixTable t;
        t.name = name;
        t.loc = loc_of(node);
        if (!is_variable_name(name)) {
            diag_.error(
                t.loc,
                fmt::format("{}: expected a variable name (letters, digits, '-', '_')", what));
            return std::nullopt;
        }
        if (!node["rows"] || !node["columns"] || (!node["values"] == !node["file"])) {
            diag_.error(t.loc, fmt::format("{}: expected rows, columns, and values or file", what));
            return std::nullopt;
        }
        t.rows = scalar(node["rows"], what + " rows", "an axis");
        t.columns = scalar(node["columns"], what + " columns", "an axis");
        const MatrixAxis* rows = axis_named(m, t.rows, node["rows"], what + " rows");
        const MatrixAxis* cols = axis_named(m, t.columns, node["columns"], what + " columns");
        if (!rows || !cols) return std::nullopt;
        std::vector<std::vector<std::string>> grid;
        SourceLoc grid_loc = t.loc;
        if (auto v = node["values"]) {
            grid_loc = loc_of(v);
            if (!v.IsSequence()) {
                diag_.error(grid_loc, fmt::format("{} values: expected a list of rows", what));
                return std::nullopt;
            }
            for (const auto& row : v) {
                std::vector<std::string> cells;
                if (row.IsSequence()) {
                    for (const auto& c : row)
                        cells.push_back(scalar(c, what + " values", "a value"));
                } else {
                    diag_.error(
                        loc_of(row),
                        fmt::format("{} values: expected a row like [direct, relay]", what));
                }
                grid.push_back(cells);
            }
        } else {
            const std::string path = scalar(node["file"], what + " file", "a CSV file name");
            if (!read_csv_grid(path, *rows, *cols, node["file"], what, grid)) return std::nullopt;
        }
        if (grid.size() != rows->labels.size()) {
            diag_.error(grid_loc, fmt::format("{}: {} rows; expected {}, one per value of {}", what,
                                              grid.size(), rows->labels.size(), t.rows));
            return std::nullopt;
        }
        for (size_t r = 0; r < grid.size(); ++r) {
            if (grid[r].size() != cols->labels.size()) {
                diag_.error(
                    grid_loc,
                    fmt::format("{}: row {} has {} values; expected {}, one per value of {}", what,
                                r + 1, grid[r].size(), cols->labels.size(), t.columns));
                return std::nullopt;
            }
            for (size_t c = 0; c < grid[r].size(); ++c)
                t.values[{rows->labels[r], cols->labels[c]}] = grid[r][c];
        }
        return t;
    }

    bool read_csv_grid(const std::string& path, const MatrixAxis& rows, const MatrixAxis& cols,
                       const YAML::Node& at, const std::string& what,
                       std::vector<std::vector<std::string>>& grid) {
        const std::filesystem::path full = std::filesystem::path(diag_.file()).parent_path() / path;
        std::ifstream in(full);
        if (!in) {
            diag_.error(loc_of(at), fmt::format("{} file: cannot read '{}'", what, full.string()));
            return false;
        }
        auto split = [](const std::string& line) {
            std::vector<std::string> out;
            std::stringstream ss(line);
            std::string cell;
            while (std::getline(ss, cell, ',')) {
                while (!cell.empty() && std::isspace(static_cast<unsigned char>(cell.back())))
                    cell.pop_back();
                size_t start = 0;
                while (start < cell.size() && std::isspace(static_cast<unsigned char>(cell[start])))
                    ++start;
                out.push_back(cell.substr(start));
            }
            return out;
        };
        std::string line;
        std::vector<std::string> header;
        std::map<std::string, std::vector<std::string>> by_row;
        while (std::getline(in, line)) {
            if (line.empty() || line[0] == '#') continue;
            auto cells = split(line);
            if (header.empty()) {
                header = cells;
                continue;
            }
            if (cells.empty()) continue;
            by_row[cells[0]] = std::vector<std::string>(cells.begin() + 1, cells.end());
        }
        // Columns and rows are matched by label, so the file may list them in any order.
        for (const auto& row_label : rows.labels) {
            auto it = by_row.find(row_label);
            if (it == by_row.end()) {
                diag_.error(loc_of(at),
                            fmt::format("{} file {}: no row for '{}'", what, path, row_label));
                return false;
            }
            std::vector<std::string> row;
            for (const auto& col_label : cols.labels) {
                auto h =
                    std::find(header.begin() + (header.empty() ? 0 : 1), header.end(), col_label);
                if (h == header.end()) {
                    diag_.error(loc_of(at), fmt::format("{} file {}: no column for '{}'", what,
                                                        path, col_label));
                    return false;
                }
                const size_t index = static_cast<size_t>(h - header.begin()) - 1;
                row.push_back(index < it->second.size() ? it->second[index] : "");
            }
            grid.push_back(row);
        }
        return true;
    }

    /// Every ${name} in a command or an expectation names a matrix axis or table.
    void check_variables(const Topology& topo) {
        std::set<std::string> known;
        if (topo.matrix) {
            for (const auto& a : topo.matrix->axes) known.insert(a.key);
            for (const auto& t : topo.matrix->tables) known.insert(t.name);
        }
        auto check = [&](const std::string& text, SourceLoc loc, const std::string& where) {
            for (const auto& name : variables_in(text)) {
                if (known.count(name)) continue;
                diag_.error(
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
            check(e.json.dump(), e.loc, fmt::format("expect {}", e.process));
            if (e.stdout_regex)
                check(*e.stdout_regex, e.loc, fmt::format("expect {} stdout", e.process));
        }
    }

    std::optional<NatSpec> read_nat(const YAML::Node& node, const std::string& router) {
        const std::string what = router + " nat";
        NatSpec spec;
        spec.loc = loc_of(node);
        if (node.IsScalar()) {
            spec.preset = node.Scalar();
            if (auto b = nat_preset(spec.preset)) {
                spec.behaviour = *b;
                return spec;
            }
            diag_.error(spec.loc,
                        fmt::format("{}: unknown preset '{}'; expected one of: {}, or a "
                                    "behaviour map",
                                    what, spec.preset, fmt::join(nat_preset_names(), ", ")));
            return std::nullopt;
        }
        if (!expect_map(node, what, "a preset name or a behaviour map")) return std::nullopt;
        check_keys(node,
                   {"mapping", "filtering", "ports", "hairpin", "udp-timeout", "tcp-timeout",
                    "tcp-unsolicited"},
                   what);
        NatBehaviour& b = spec.behaviour;
        if (auto n = node["mapping"]) {
            if (auto v = behaviour(n, what + " mapping", false)) b.mapping = *v;
        }
        if (auto n = node["filtering"]) {
            if (auto v = behaviour(n, what + " filtering", false)) b.filtering = *v;
        }
        if (auto n = node["ports"]) {
            read_ports(n, what, b);
        } else if (b.mapping != Behaviour::endpoint_independent) {
            // A new mapping per destination cannot keep one port: such NATs pick ports.
            b.ports = PortAssignment::random;
        }
        if (auto n = node["hairpin"]) {
            if (auto v = boolean(n, what + " hairpin")) b.hairpin = *v;
        }
        if (auto n = node["udp-timeout"]) b.udp_timeout = duration(n, what + " udp-timeout");
        if (auto n = node["tcp-timeout"]) b.tcp_timeout = duration(n, what + " tcp-timeout");
        if (auto n = node["tcp-unsolicited"]) {
            const std::string text = scalar(n, what + " tcp-unsolicited", "drop or rst");
            if (text == "drop")
                b.tcp_unsolicited = TcpUnsolicited::drop;
            else if (text == "rst")
                b.tcp_unsolicited = TcpUnsolicited::rst;
            else if (!text.empty())
                diag_.error(loc_of(n),
                            fmt::format("{} tcp-unsolicited: expected drop or rst, found '{}'",
                                        what, text));
        }
        return spec;
    }

    /// `ports: preserve | random | sequential | { sequential: STEP }`.
    void read_ports(const YAML::Node& node, const std::string& what, NatBehaviour& b) {
        if (node.IsMap() && node.size() == 1 && node["sequential"]) {
            b.ports = PortAssignment::sequential;
            if (auto step = integer(node["sequential"], what + " ports sequential step", 1, 1000))
                b.port_step = *step;
            return;
        }
        const std::string text =
            scalar(node, what + " ports", "preserve, sequential, random or { sequential: STEP }");
        if (text.empty()) return;
        if (auto p = parse_port_assignment(text)) {
            b.ports = *p;
        } else {
            diag_.error(loc_of(node),
                        fmt::format("{} ports: expected preserve, sequential, random or "
                                    "{{ sequential: STEP }}, found '{}'",
                                    what, text));
        }
    }

    std::optional<FirewallSpec> read_firewall(const YAML::Node& node, const std::string& router) {
        const std::string what = router + " firewall";
        FirewallSpec fw;
        fw.loc = loc_of(node);
        if (node.IsScalar()) {
            fw.preset = node.Scalar();
            if (fw.preset == "udp-blocked")
                fw.block_udp = true;
            else if (fw.preset == "symmetric-udp-firewall")
                fw.filtering = Behaviour::address_and_port_dependent;
            else if (fw.preset != "open") {
                diag_.error(fw.loc,
                            fmt::format("{}: unknown preset '{}'; expected open, udp-blocked, "
                                        "symmetric-udp-firewall or a map",
                                        what, fw.preset));
                return std::nullopt;
            }
            return fw;
        }
        if (!expect_map(node, what, "a preset name or { filtering: ..., block: [udp, tcp] }"))
            return std::nullopt;
        check_keys(node, {"filtering", "block"}, what);
        if (auto n = node["filtering"]) {
            if (auto v = behaviour(n, what + " filtering", true)) fw.filtering = *v;
        }
        if (auto n = node["block"]) {
            if (!n.IsSequence()) {
                diag_.error(loc_of(n), what + " block: expected a list like [udp]");
            } else {
                for (const auto& item : n) {
                    const std::string proto = scalar(item, what + " block", "udp or tcp");
                    if (proto == "udp")
                        fw.block_udp = true;
                    else if (proto == "tcp")
                        fw.block_tcp = true;
                    else if (!proto.empty())
                        diag_.error(
                            loc_of(item),
                            fmt::format("{} block: expected udp or tcp, found '{}'", what, proto));
                }
            }
        }
        return fw;
    }

    void read_steps(const YAML::Node& node, Topology& topo) {
        if (!node.IsSequence()) {
            diag_.error(loc_of(node),
                        fmt::format("run: expected a list of steps, found {}", kind_of(node)));
            return;
        }
        for (const auto& item : node) {
            if (!expect_map(item, "run step",
                            "a map with start, wait, sleep, link, set-nat or flush"))
                continue;
            if (item["start"])
                read_start(item, topo);
            else if (item["wait"])
                read_wait(item, topo);
            else if (item["sleep"])
                read_sleep(item, topo);
            else if (item["link"])
                read_link(item, topo);
            else if (item["set-nat"])
                read_set_nat(item, topo);
            else if (item["flush"])
                read_flush(item, topo);
            else
                diag_.error(loc_of(item),
                            "run step: expected one of start, wait, sleep, link, set-nat or flush");
        }
    }

    void read_start(const YAML::Node& item, Topology& topo) {
        check_keys(item, {"start", "on", "cmd", "ready", "env"}, "a start step");
        StartStep start;
        start.name = scalar(item["start"], "start", "a process name");
        std::string why;
        if (!start.name.empty() && !is_valid_node_name(start.name, &why)) {
            diag_.error(loc_of(item["start"]),
                        fmt::format("process name '{}': {}", start.name, why));
        }
        const std::string what = fmt::format("start '{}'", start.name);
        if (auto on = item["on"])
            start.node = scalar(on, what + " on", "a host or router name");
        else
            diag_.error(loc_of(item), what + ": no 'on'; expected the node to run on");
        if (auto cmd = item["cmd"]) {
            if (cmd.IsSequence() && cmd.size() > 0) {
                for (const auto& arg : cmd)
                    start.argv.push_back(scalar(arg, what + " cmd", "a string"));
            } else {
                diag_.error(
                    loc_of(cmd),
                    fmt::format(
                        "{} cmd: expected a non-empty list like [peer, --id, alice], found {}",
                        what, kind_of(cmd)));
            }
        } else {
            diag_.error(loc_of(item), what + ": no 'cmd'; expected an argv list");
        }
        if (auto env = item["env"]) {
            if (expect_map(env, what + " env", "a map of variable to value")) {
                for (const auto& e : env)
                    start.env[e.first.Scalar()] = scalar(e.second, what + " env", "a string");
            }
        }
        if (auto ready = item["ready"]) start.ready = read_ready(ready, what);
        topo.steps.push_back({std::move(start), loc_of(item)});
    }

    ReadySpec read_ready(const YAML::Node& node, const std::string& what) {
        ReadySpec ready;
        if (!expect_map(node, what + " ready", "{ udp: PORT }, { tcp: PORT } or { stdout: REGEX }"))
            return ready;
        check_keys(node, {"udp", "tcp", "stdout", "timeout"}, what + " ready");
        int kinds = 0;
        if (auto n = node["udp"]) {
            ready.kind = ReadySpec::Kind::udp_port;
            ready.port = integer(n, what + " ready udp", 1, 65535).value_or(0);
            ++kinds;
        }
        if (auto n = node["tcp"]) {
            ready.kind = ReadySpec::Kind::tcp_port;
            ready.port = integer(n, what + " ready tcp", 1, 65535).value_or(0);
            ++kinds;
        }
        if (auto n = node["stdout"]) {
            ready.kind = ReadySpec::Kind::stdout_regex;
            ready.regex = scalar(n, what + " ready stdout", "a regular expression");
            check_regex(n, ready.regex, what + " ready stdout");
            ++kinds;
        }
        if (kinds != 1)
            diag_.error(loc_of(node), what + " ready: expected exactly one of udp, tcp or stdout");
        if (auto n = node["timeout"])
            ready.timeout = duration(n, what + " ready timeout").value_or(ready.timeout);
        return ready;
    }

    void check_regex(const YAML::Node& node, const std::string& regex, const std::string& what) {
        // A matrix fills in ${name} later: check the shape around it now.
        std::map<std::string, std::string> placeholders;
        for (const auto& name : variables_in(regex)) placeholders[name] = "x";
        try {
            std::regex compiled(substitute(regex, placeholders), std::regex::ECMAScript);
        } catch (const std::regex_error& e) {
            diag_.error(loc_of(node),
                        fmt::format("{}: bad regular expression '{}': {}", what, regex, e.what()));
        }
    }

    void read_wait(const YAML::Node& item, Topology& topo) {
        check_keys(item, {"wait", "timeout"}, "a wait step");
        WaitStep wait;
        const YAML::Node names = item["wait"];
        if (names.IsSequence()) {
            for (const auto& n : names) wait.names.push_back(scalar(n, "wait", "a process name"));
        } else {
            wait.names.push_back(scalar(names, "wait", "a process name or a list of them"));
        }
        if (auto t = item["timeout"])
            wait.timeout = duration(t, "wait timeout").value_or(wait.timeout);
        topo.steps.push_back({std::move(wait), loc_of(item)});
    }

    void read_link(const YAML::Node& item, Topology& topo) {
        check_keys(item, {"link", "on", "network"}, "a link step");
        LinkStep link;
        const std::string state = scalar(item["link"], "link", "down or up");
        if (state == "up" || state == "down") {
            link.up = state == "up";
        } else if (!state.empty()) {
            diag_.error(loc_of(item["link"]),
                        fmt::format("link: expected down or up, found '{}'", state));
        }
        if (auto on = item["on"])
            link.node = scalar(on, "link on", "a host or router name");
        else
            diag_.error(loc_of(item), "link: no 'on'; expected the node whose interface changes");
        if (auto net = item["network"])
            link.network = scalar(net, "link network", "a network name");
        else
            diag_.error(loc_of(item), "link: no 'network'; expected the network of the interface");
        topo.steps.push_back({link, loc_of(item)});
    }

    void read_set_nat(const YAML::Node& item, Topology& topo) {
        check_keys(item, {"set-nat", "to"}, "a set-nat step");
        SetNatStep step;
        step.router = scalar(item["set-nat"], "set-nat", "a router name");
        if (auto to = item["to"]) {
            if (auto nat = read_nat(to, fmt::format("set-nat '{}'", step.router))) step.nat = *nat;
        } else {
            diag_.error(loc_of(item), "set-nat: no 'to'; expected a preset or a behaviour map");
        }
        topo.steps.push_back({std::move(step), loc_of(item)});
    }

    void read_flush(const YAML::Node& item, Topology& topo) {
        check_keys(item, {"flush"}, "a flush step");
        topo.steps.push_back(
            {FlushStep{scalar(item["flush"], "flush", "a router name")}, loc_of(item)});
    }

    void read_sleep(const YAML::Node& item, Topology& topo) {
        check_keys(item, {"sleep"}, "a sleep step");
        SleepStep sleep;
        if (auto d = duration(item["sleep"], "sleep")) sleep.duration = *d;
        topo.steps.push_back({sleep, loc_of(item)});
    }

    void read_expectations(const YAML::Node& node, Topology& topo) {
        if (!expect_map(node, "expect", "a map of process name to expectations")) return;
        for (const auto& entry : node) {
            Expectation e;
            e.process = entry.first.Scalar();
            e.loc = loc_of(entry.first);
            const std::string what = fmt::format("expect '{}'", e.process);
            if (!expect_map(entry.second, what, "a map with exit, json or stdout")) continue;
            check_keys(entry.second, {"exit", "json", "stdout"}, what);
            if (auto n = entry.second["exit"]) e.exit_code = integer(n, what + " exit", 0, 255);
            if (auto n = entry.second["json"]) {
                if (expect_map(n, what + " json", "a map of field to value")) e.json = to_json(n);
            }
            if (auto n = entry.second["stdout"]) {
                e.stdout_regex = scalar(n, what + " stdout", "a regular expression");
                check_regex(n, *e.stdout_regex, what + " stdout");
            }
            topo.expectations.push_back(std::move(e));
        }
    }

    /// YAML values as JSON: plain scalars become numbers, booleans or null
    /// where they read as such, quoted ones stay strings.
    static nlohmann::json to_json(const YAML::Node& node) {
        if (node.IsMap()) {
            nlohmann::json obj = nlohmann::json::object();
            for (const auto& e : node) obj[e.first.Scalar()] = to_json(e.second);
            return obj;
        }
        if (node.IsSequence()) {
            nlohmann::json arr = nlohmann::json::array();
            for (const auto& e : node) arr.push_back(to_json(e));
            return arr;
        }
        if (!node.IsScalar()) return nullptr;
        const std::string& text = node.Scalar();
        if (node.Tag() == "!") return text;  // quoted in the file
        if (text == "true") return true;
        if (text == "false") return false;
        if (text == "null" || text == "~") return nullptr;
        static const std::regex number(R"(-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?)");
        if (std::regex_match(text, number)) return nlohmann::json::parse(text);
        return text;
    }
};

}  // namespace

bool is_valid_interface_name(const std::string& name, std::string* why) {
    if (name.empty() || name.size() > 15) {
        *why = fmt::format("{} characters; an interface name takes 1 to 15", name.size());
        return false;
    }
    if (name == "lo" || name == "." || name == "..") {
        *why = "reserved name";
        return false;
    }
    for (char c : name) {
        if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' && c != '.') {
            *why = "only letters, digits, '-', '_' and '.' may be used";
            return false;
        }
    }
    return true;
}

bool is_valid_node_name(const std::string& name, std::string* why) {
    if (name.empty() || name.size() > 32) {
        *why = fmt::format("{} characters; a name takes 1 to 32", name.size());
        return false;
    }
    for (char c : name) {
        if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_') {
            *why = "only letters, digits, '-' and '_' may be used";
            return false;
        }
    }
    return true;
}

std::optional<Topology> load_topology_text(const std::string& text, Diagnostics& diag) {
    YAML::Node root;
    try {
        root = YAML::Load(text);
    } catch (const YAML::ParserException& e) {
        diag.error({e.mark.line + 1, e.mark.column + 1}, "not valid YAML: " + e.msg);
        return std::nullopt;
    } catch (const YAML::Exception& e) {
        diag.error({}, std::string("not valid YAML: ") + e.what());
        return std::nullopt;
    }
    if (!root.IsMap()) {
        diag.error(loc_of(root), "expected a map with networks, hosts, routers, run and expect");
        return std::nullopt;
    }
    try {
        return Reader(diag).read(root);
    } catch (const YAML::Exception& e) {
        diag.error({e.mark.line + 1, e.mark.column + 1}, std::string("cannot read: ") + e.what());
        return std::nullopt;
    }
}

std::optional<Topology> load_topology_file(const std::string& path, Diagnostics& diag) {
    std::ifstream in(path);
    if (!in) {
        diag.error({}, "cannot open the file: " + std::string(std::strerror(errno)));
        return std::nullopt;
    }
    std::stringstream buffer;
    buffer << in.rdbuf();
    return load_topology_text(buffer.str(), diag);
}

}  // namespace testbed
