#include "report/dot.h"

#include <fmt/core.h>
#include <fmt/ranges.h>

namespace testbed {
namespace {

std::string addresses(const Attachment& att) {
    std::vector<std::string> list;
    for (const auto& a : att.addresses) list.push_back(a.address ? a.address->str() : "auto");
    return fmt::format("{}", fmt::join(list, "\\n"));
}

std::string router_label(const Router& r) {
    if (r.nat) {
        return fmt::format("{}\\nnat: {}", r.name,
                           r.nat->preset.empty() ? describe(r.nat->behaviour) : r.nat->preset);
    }
    if (r.firewall)
        return fmt::format("{}\\nfirewall: {}", r.name,
                           r.firewall->preset.empty() ? "custom" : r.firewall->preset);
    return r.name;
}

}  // namespace

std::string topology_dot(const Topology& topo) {
    std::string out =
        fmt::format("graph \"{}\" {{\n  rankdir=TB;\n  node [fontname=\"Helvetica\"];\n",
                    topo.name.empty() ? "topology" : topo.name);
    for (const auto& n : topo.networks) {
        out += fmt::format(
            "  \"net:{}\" [shape=ellipse, style=filled, fillcolor=\"#e8f0fe\", "
            "label=\"{}\\n{}\"];\n",
            n.name, n.name, n.subnet.str());
    }
    for (const auto& h : topo.hosts) {
        out += fmt::format("  \"node:{}\" [shape=box, label=\"{}\"];\n", h.name, h.name);
        for (const auto& att : h.attachments) {
            out += fmt::format("  \"node:{}\" -- \"net:{}\" [label=\"{}\"];\n", h.name, att.network,
                               addresses(att));
        }
    }
    for (const auto& r : topo.routers) {
        out += fmt::format(
            "  \"node:{}\" [shape=diamond, style=filled, fillcolor=\"{}\", label=\"{}\"];\n",
            r.name, r.nat ? "#fde2e1" : "#eeeeee", router_label(r));
        out += fmt::format("  \"net:{}\" -- \"node:{}\" [label=\"wan {}\"];\n", r.wan.network,
                           r.name, addresses(r.wan));
        for (const auto& lan : r.lans) {
            out += fmt::format("  \"node:{}\" -- \"net:{}\" [label=\"lan {}\"];\n", r.name,
                               lan.network, addresses(lan));
        }
    }
    out += "}\n";
    return out;
}

}  // namespace testbed
