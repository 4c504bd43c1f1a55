#include "model/topology.h"

#include <algorithm>
#include <utility>

namespace testbed {
namespace {

/// What `drop-capabilities` knows, with their numbers in capability(7).
struct NamedCapability {
    std::string_view name;
    int number;
};
constexpr NamedCapability kCapabilities[] = {
    {"net-raw", 13},
    {"net-admin", 12},
    {"net-bind-service", 10},
};

template <typename T>
const T* find_named(const std::vector<T>& items, const std::string& name) {
    auto it =
        std::find_if(items.begin(), items.end(), [&](const T& item) { return item.name == name; });
    return it == items.end() ? nullptr : &*it;
}

}  // namespace

const Network* Topology::find_network(const std::string& n) const {
    return find_named(networks, n);
}
const Host* Topology::find_host(const std::string& n) const {
    return find_named(hosts, n);
}
const Router* Topology::find_router(const std::string& n) const {
    return find_named(routers, n);
}
bool Topology::has_node(const std::string& n) const {
    return find_host(n) || find_router(n);
}
const Router* Topology::router_serving(const std::string& network) const {
    for (const auto& router : routers) {
        for (const auto& lan : router.lans) {
            if (lan.network == network) return &router;
        }
    }
    return nullptr;
}

const Attachment* Topology::attachment_of(const std::string& node,
                                          const std::string& network) const {
    auto on = [&](const std::vector<Attachment>& atts) -> const Attachment* {
        for (const auto& a : atts)
            if (a.network == network) return &a;
        return nullptr;
    };
    if (const Host* h = find_host(node)) return on(h->attachments);
    if (const Router* r = find_router(node))
        return r->wan.network == network ? &r->wan : on(r->lans);
    return nullptr;
}

Attachment* Topology::attachment_of(const std::string& node, const std::string& network) {
    return const_cast<Attachment*>(std::as_const(*this).attachment_of(node, network));
}

std::string Topology::uplink_of(const Host& host) const {
    if (!host.uplink.empty()) return host.uplink;
    for (const auto& att : host.attachments)
        if (router_serving(att.network)) return att.network;
    return {};
}

std::vector<const Attachment*> Topology::attachments_on(const std::string& network,
                                                        const std::string& except) const {
    std::vector<const Attachment*> out;
    auto add = [&](const Attachment& a) {
        if (a.network == network) out.push_back(&a);
    };
    for (const auto& h : hosts) {
        if (h.name == except) continue;
        for (const auto& a : h.attachments) add(a);
    }
    for (const auto& r : routers) {
        if (r.name == except) continue;
        add(r.wan);
        for (const auto& a : r.lans) add(a);
    }
    return out;
}

namespace {

std::string first_address(const Attachment& a) {
    if (a.addresses.empty() || !a.addresses.front().address) return {};
    return a.addresses.front().address->str();
}

}  // namespace

std::map<std::string, std::string> address_variables(const Topology& topo) {
    std::map<std::string, std::string> out;
    for (const auto& h : topo.hosts) {
        for (const auto& a : h.attachments) out[h.name + "." + a.network] = first_address(a);
    }
    for (const auto& r : topo.routers) {
        if (r.wan.network.empty()) continue;
        out[r.name + ".wan"] = first_address(r.wan);
        out[r.name + "." + r.wan.network] = first_address(r.wan);
        for (const auto& lan : r.lans) out[r.name + "." + lan.network] = first_address(lan);
    }
    return out;
}

std::vector<std::pair<std::string, std::string>> node_addresses(const Topology& topo) {
    std::vector<std::pair<std::string, std::string>> out;
    for (const auto& h : topo.hosts) {
        if (h.attachments.empty()) continue;
        if (auto a = first_address(h.attachments.front()); !a.empty()) out.emplace_back(a, h.name);
    }
    for (const auto& r : topo.routers) {
        if (auto a = first_address(r.wan); !a.empty()) out.emplace_back(a, r.name);
    }
    return out;
}

bool is_traffic_path(const std::string& via) {
    return std::find(std::begin(kTrafficPaths), std::end(kTrafficPaths), via) !=
           std::end(kTrafficPaths);
}

std::vector<std::string> axis_routers(const MatrixAxis& axis) {
    std::vector<std::string> out;
    size_t start = 0;
    while (start <= axis.router.size() && !axis.router.empty()) {
        const size_t plus = axis.router.find('+', start);
        out.push_back(axis.router.substr(start, plus - start));
        if (plus == std::string::npos) break;
        start = plus + 1;
    }
    return out;
}

std::optional<int> capability_named(std::string_view name) {
    for (const auto& c : kCapabilities) {
        if (c.name == name) return c.number;
    }
    return std::nullopt;
}

std::string capability_names() {
    std::string out;
    for (const auto& c : kCapabilities) out += (out.empty() ? "" : ", ") + std::string(c.name);
    return out;
}

}  // namespace testbed
