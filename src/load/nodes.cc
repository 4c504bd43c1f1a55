// The networks, hosts and routers of a topology file (their shape; the
// validator checks how they fit together).

#include <fmt/core.h>

#include "load/sections.h"
#include "model/names.h"

namespace testbed::sections {

namespace {

bool claim_node_name(YamlReader& r, NodeNames& names, const YAML::Node& key) {
    const std::string& name = key.Scalar();
    std::string why;
    if (!is_valid_node_name(name, &why)) {
        r.diag().error(loc_of(key), fmt::format("node name '{}': {}", name, why));
        return false;
    }
    auto [it, fresh] = names.emplace(name, loc_of(key));
    if (!fresh) {
        r.diag().error(loc_of(key), fmt::format("node '{}' is defined twice (first at line {}); "
                                                "hosts and routers share one set of names",
                                                name, it->second.line));
        return false;
    }
    return true;
}

/// `{ network: address }`, `{ network: [a, b] }`, one entry per network.
std::vector<Attachment> attachments(YamlReader& r, const YAML::Node& node,
                                    const std::string& what) {
    std::vector<Attachment> result;
    if (!r.expect_map(node, what, "a map of network name to address ({ home-a: auto })"))
        return result;
    for (const auto& entry : node) {
        Attachment att;
        att.network = entry.first.Scalar();
        att.loc = loc_of(entry.first);
        const std::string where = fmt::format("{} on network '{}'", what, att.network);
        // `{ address: auto, loss: 1%, ... }`: the addresses and this link's conditions.
        // (Constructed, not assigned: assigning a YAML::Node rewrites the node it refers to.)
        const bool is_map = entry.second.IsMap();
        const YAML::Node addresses = is_map ? entry.second["address"] : entry.second;
        if (is_map) {
            if (!addresses) {
                r.diag().error(att.loc, where +
                                            ": expected address (auto, an address, or a "
                                            "list of them)");
            }
            att.link = read_attachment_link(r, entry.second, where);
        }
        if (!addresses) {
            // reported above
        } else if (addresses.IsSequence()) {
            if (addresses.size() == 0)
                r.diag().error(att.loc, where + ": the address list is empty");
            for (const auto& item : addresses) {
                if (auto a = read_address(r, item, where)) att.addresses.push_back(*a);
            }
        } else if (auto a = read_address(r, addresses, where)) {
            att.addresses.push_back(*a);
        }
        for (const auto& other : result) {
            if (other.network == att.network)
                r.diag().error(att.loc, where + ": network named twice");
        }
        result.push_back(std::move(att));
    }
    return result;
}

}  // namespace

std::optional<AddressSpec> read_address(YamlReader& r, const YAML::Node& node,
                                        const std::string& what) {
    const auto word_text = r.word(node, what, "an IPv4 address or auto");
    if (!word_text) return std::nullopt;
    const std::string& text = *word_text;
    if (text == "auto") return AddressSpec{std::nullopt, loc_of(node)};
    if (auto ip = Ipv4::parse(text)) return AddressSpec{*ip, loc_of(node)};
    r.diag().error(
        loc_of(node),
        fmt::format("{}: bad address '{}'; expected an IPv4 address like 10.0.1.2 or auto", what,
                    text));
    return std::nullopt;
}

void read_networks(YamlReader& r, const YAML::Node& node, Topology& topo) {
    if (!r.expect_map(node, "networks",
                      "a map of network name to subnet (internet: 203.0.113.0/24)"))
        return;
    for (const auto& entry : node) {
        const std::string name = entry.first.Scalar();
        std::string why;
        if (!is_valid_interface_name(name, &why)) {
            r.diag().error(loc_of(entry.first), fmt::format("network name '{}': {}", name, why));
            continue;
        }
        if (topo.find_network(name)) {
            r.diag().error(loc_of(entry.first), fmt::format("network '{}' is defined twice", name));
            continue;
        }
        const std::string what = fmt::format("network '{}'", name);
        // `{ subnet: 10.0.1.0/24, delay: 20ms, ... }`: the subnet and the link conditions.
        const bool is_map = entry.second.IsMap();
        const YAML::Node subnet_node = is_map ? entry.second["subnet"] : entry.second;
        LinkSpec link;
        if (is_map) link = read_network_link(r, entry.second, what);
        std::optional<Subnet> subnet;
        if (!subnet_node) {
            r.diag().error(loc_of(entry.second), what + ": expected subnet (like 10.0.1.0/24)");
        } else {
            const std::string text =
                r.word(subnet_node, what, "a subnet like 10.0.1.0/24").value_or("");
            subnet = Subnet::parse(text, &why);
            if (!subnet) {
                r.diag().error(loc_of(subnet_node),
                               fmt::format("{}: bad subnet '{}': {}", what, text, why));
            }
        }
        topo.networks.push_back(
            {name, subnet.value_or(Subnet{}), link, loc_of(entry.first), subnet.has_value()});
    }
}

void read_hosts(YamlReader& r, NodeNames& names, const YAML::Node& node, Topology& topo) {
    if (!r.expect_map(node, "hosts", "a map of host name to its networks")) return;
    for (const auto& entry : node) {
        if (!claim_node_name(r, names, entry.first)) continue;
        Host host;
        host.name = entry.first.Scalar();
        host.loc = loc_of(entry.first);
        host.attachments = attachments(r, entry.second, fmt::format("host '{}'", host.name));
        topo.hosts.push_back(std::move(host));
    }
}

void read_routers(YamlReader& r, NodeNames& names, const YAML::Node& node, Topology& topo) {
    if (!r.expect_map(node, "routers", "a map of router name to wan, lan and nat")) return;
    for (const auto& entry : node) {
        if (!claim_node_name(r, names, entry.first)) continue;
        Router router;
        router.name = entry.first.Scalar();
        router.loc = loc_of(entry.first);
        const std::string what = fmt::format("router '{}'", router.name);
        const YAML::Node& body = entry.second;
        if (!r.expect_map(body, what, "a map with wan, lan and optionally nat or firewall"))
            continue;
        r.check_keys(body, {"wan", "lan", "nat", "firewall", "port-mapping", "source-validation"},
                     what);
        if (auto wan = body["wan"]) {
            // Several addresses are a NAT's pool of public ones (`pooling:`).
            auto list = attachments(r, wan, what + " wan");
            if (list.size() == 1 && !list[0].addresses.empty()) {
                router.wan = list[0];
            } else if (wan.IsMap()) {
                r.diag().error(loc_of(wan), what +
                                                " wan: expected exactly one network, with one "
                                                "address or a list of them");
            }
        } else {
            r.diag().error(router.loc, what + ": no 'wan'; expected wan: { NETWORK: ADDRESS }");
        }
        if (auto lan = body["lan"]) {
            router.lans = attachments(r, lan, what + " lan");
            if (lan.IsMap() && router.lans.empty())
                r.diag().error(loc_of(lan), what + " lan: expected at least one network");
        } else {
            r.diag().error(router.loc, what + ": no 'lan'; expected lan: { NETWORK: auto }");
        }
        if (auto nat = body["nat"]) router.nat = read_nat(r, nat, what);
        if (auto fw = body["firewall"]) router.firewall = read_firewall(r, fw, what);
        if (auto pm = body["port-mapping"]) router.port_mapping = read_port_mapping(r, pm, what);
        if (auto sv = body["source-validation"]) {
            router.source_validation = r.boolean(sv, what + " source-validation").value_or(false);
        }
        if (router.nat && router.firewall) {
            r.diag().error(loc_of(body["firewall"]),
                           what +
                               ": 'firewall' is for routers without translation; a NAT filters by "
                               "its 'filtering' key");
        }
        topo.routers.push_back(std::move(router));
    }
}

}  // namespace testbed::sections
