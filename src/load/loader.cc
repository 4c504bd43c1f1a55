#include "load/loader.h"

#include <fmt/core.h>
#include <yaml-cpp/yaml.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "base/file.h"
#include "base/utf8.h"
#include "load/sections.h"
#include "load/tree_check.h"
#include "load/yaml_reader.h"

namespace testbed {
namespace {

/// Reads one file's YAML tree into a Topology, reporting into the reader's
/// Diagnostics; nullopt when what its matrix makes of it is out of bounds
/// (nothing may expand it then).
std::optional<Topology> read_topology(YamlReader& r, const YAML::Node& root) {
    Topology topo;
    sections::NodeNames names;
    topo.file = r.diag().file();
    r.check_keys(root,
                 {"name", "description", "networks", "hosts", "routers", "files", "run", "expect",
                  "traffic", "matrix"},
                 "top level");
    if (auto n = root["name"]) topo.name = r.scalar(n, "name", "a scenario name");
    if (auto n = root["description"]) topo.description = r.scalar(n, "description", "text");
    if (auto n = root["networks"])
        sections::read_networks(r, n, topo);
    else
        r.diag().error({}, "no 'networks' section; expected a map of network name to subnet");
    if (auto n = root["hosts"]) sections::read_hosts(r, names, n, topo);
    if (auto n = root["routers"]) sections::read_routers(r, names, n, topo);
    if (auto n = root["files"]) sections::read_files(r, n, topo);
    if (auto n = root["run"]) sections::read_steps(r, n, topo);
    if (auto n = root["expect"]) sections::read_expectations(r, n, topo);
    if (auto n = root["traffic"]) sections::read_traffic(r, n, topo);
    if (auto n = root["matrix"]) sections::read_matrix(r, n, topo);
    sections::check_variables(r, topo);
    if (!sections::check_expansion_bounds(r, topo)) return std::nullopt;
    return topo;
}

}  // namespace

std::optional<Topology> load_topology_text(const std::string& text, Diagnostics& diag) {
    if (const auto bad = first_invalid_utf8(text)) {
        const TextPosition at = position_of(text, *bad);
        diag.error({at.line, at.column},
                   fmt::format("not valid UTF-8 (byte {:#04x}); YAML files are Unicode text",
                               static_cast<unsigned char>(text[*bad])));
        return std::nullopt;
    }
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
    if (!check_tree(root, diag)) return std::nullopt;
    try {
        YamlReader reader(diag);
        return read_topology(reader, root);
    } catch (const YAML::Exception& e) {
        diag.error({e.mark.line + 1, e.mark.column + 1}, std::string("cannot read: ") + e.what());
        return std::nullopt;
    }
}

std::optional<Topology> load_topology_file(const std::string& path, Diagnostics& diag) {
    std::string why;
    const auto text = read_regular_file(path, kMaxTopologyFile, &why);
    if (!text) {
        diag.error({}, why);
        return std::nullopt;
    }
    return load_topology_text(*text, diag);
}

}  // namespace testbed
