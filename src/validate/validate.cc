#include "validate/validate.h"

#include <fmt/core.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <map>
#include <set>
#include <unordered_map>

#include "validate/nat_behaviour.h"
#include "validate/port_mapping.h"
#include "validate/steps.h"
#include "validate/templates.h"

namespace testbed {
namespace {

/// The lookups the checks make per attachment, built once: linear scans
/// inside those loops made validation cubic in the number of NATs.
class Lookup {
  public:
    explicit Lookup(const Topology& topo) : topo_(topo) {
        for (const auto& n : topo.networks) networks_.emplace(n.name, &n);
        for (const auto& r : topo.routers) {
            for (const auto& lan : r.lans)
                serving_.emplace(lan.network, &r);  // the first, as the file says
        }
    }

    const Network* network(const std::string& name) const {
        auto it = networks_.find(name);
        return it == networks_.end() ? nullptr : it->second;
    }

    /// The router whose lan `network` is, or nullptr.
    const Router* serving(const std::string& network) const {
        auto it = serving_.find(network);
        return it == serving_.end() ? nullptr : it->second;
    }

    /// The address realm of a network: the nearest translating router above
    /// it, or nullptr for the top (untranslated) realm. Bounded, as router
    /// loops are only reported later; remembered per network.
    const Router* realm_of(const std::string& network) const {
        if (auto it = realms_.find(network); it != realms_.end()) return it->second;
        const Router* realm = nullptr;
        std::string net = network;
        for (size_t i = 0; i <= topo_.routers.size(); ++i) {
            const Router* r = serving(net);
            if (!r) break;
            if (r->translates()) {
                realm = r;
                break;
            }
            net = r->wan.network;
        }
        realms_.emplace(network, realm);
        return realm;
    }

    /// Whether realm `outer` contains realm `inner` (the top contains all).
    bool realm_within(const Router* inner, const Router* outer) const {
        if (!outer) return true;
        for (size_t i = 0; inner && i <= topo_.routers.size(); ++i) {
            if (inner == outer) return true;
            inner = realm_of(inner->wan.network);
        }
        return false;
    }

  private:
    const Topology& topo_;
    std::unordered_map<std::string, const Network*> networks_;
    std::unordered_map<std::string, const Router*> serving_;
    mutable std::unordered_map<std::string, const Router*> realms_;
};

bool attached_to_both(const Topology& topo, const std::string& a, const std::string& b) {
    auto on = [](const std::vector<Attachment>& atts, const std::string& n) {
        return std::any_of(atts.begin(), atts.end(),
                           [&](const Attachment& x) { return x.network == n; });
    };
    for (const auto& h : topo.hosts) {
        if (on(h.attachments, a) && on(h.attachments, b)) return true;
    }
    for (const auto& r : topo.routers) {
        std::vector<Attachment> atts = r.lans;
        atts.push_back(r.wan);
        if (on(atts, a) && on(atts, b)) return true;
    }
    return false;
}

/// Private networks behind different NATs may reuse one subnet, as homes
/// do (the seed's §3.3): when neither realm contains the other and no node
/// sits on both.
bool may_overlap(const Topology& topo, const Lookup& lookup, const Network& a, const Network& b) {
    const Router* ra = lookup.realm_of(a.name);
    const Router* rb = lookup.realm_of(b.name);
    return ra != rb && !lookup.realm_within(ra, rb) && !lookup.realm_within(rb, ra) &&
           !attached_to_both(topo, a.name, b.name);
}

/// Addresses in use per realm, and the next candidate for `auto`.
class AddressBook {
  public:
    explicit AddressBook(const Lookup& lookup) : lookup_(lookup) {}

    /// Records an explicit address; reports a duplicate or a bad address.
    void claim(const std::string& network, const AddressSpec& spec, const std::string& owner,
               Diagnostics& diag) {
        const Network* net = lookup_.network(network);
        if (!net || !net->valid || !spec.address) return;
        const Ipv4 ip = *spec.address;
        if (!net->subnet.contains(ip)) {
            diag.error(spec.loc, fmt::format("{}: address {} is outside network '{}' ({})", owner,
                                             ip.str(), network, net->subnet.str()));
            return;
        }
        if (!net->subnet.is_usable_host(ip)) {
            diag.error(
                spec.loc,
                fmt::format("{}: address {} is the {} address of {}; expected a host address",
                            owner, ip.str(), ip == net->subnet.network ? "network" : "broadcast",
                            net->subnet.str()));
            return;
        }
        auto [it, fresh] = used_.emplace(std::pair{lookup_.realm_of(network), ip.value}, owner);
        if (!fresh) {
            diag.error(spec.loc, fmt::format("{}: address {} is already used by {}", owner,
                                             ip.str(), it->second));
        }
    }

    /// Picks the first free host address of `network` for an `auto`.
    void assign(const std::string& network, AddressSpec& spec, const std::string& owner,
                Diagnostics& diag) {
        const Network* net = lookup_.network(network);
        if (!net || !net->valid || spec.address) return;
        const Router* realm = lookup_.realm_of(network);
        // Addresses below the cursor were all taken when it passed them and
        // stay taken: each `auto` continues where the last one stopped.
        uint32_t& cursor = next_[{realm, net}];
        for (uint32_t v = std::max(cursor, net->subnet.first_host().value);
             v <= net->subnet.last_host().value; ++v) {
            if (used_.emplace(std::pair{realm, v}, owner).second) {
                spec.address = Ipv4{v};
                cursor = v + 1;
                return;
            }
        }
        cursor = net->subnet.last_host().value;
        diag.error(spec.loc, fmt::format("{}: network '{}' ({}) has no free address left", owner,
                                         network, net->subnet.str()));
    }

  private:
    const Lookup& lookup_;
    std::map<std::pair<const Router*, uint32_t>, std::string> used_;
    std::map<std::pair<const Router*, const Network*>, uint32_t> next_;
};

/// Ranges no network of the testbed can use: the kernel will not route
/// through a gateway in 0/8 or 224/4 (rtnl_route_add fails) and keeps 127/8
/// to lo. (240/4 works on Linux, and stays allowed.)
struct UnusableRange {
    const char* subnet;
    const char* why;
};
constexpr UnusableRange kUnusableRanges[] = {
    {"0.0.0.0/8", "\"this network\" (RFC 1122): the kernel routes nothing through it"},
    {"127.0.0.0/8", "loopback (RFC 1122): the kernel drops it on every interface but lo"},
    {"224.0.0.0/4", "multicast (RFC 1112): the kernel routes nothing through it"},
};

void check_network_range(const Network& net, Diagnostics& diag) {
    for (const auto& range : kUnusableRanges) {
        const Subnet bad = *Subnet::parse(range.subnet);
        if (net.valid && net.subnet.overlaps(bad)) {
            diag.error(net.loc, fmt::format("network '{}' ({}) lies in {}, {}; use a private "
                                            "range for homes and 203.0.113.0/24 or another "
                                            "range of docs/topology.md for the internet",
                                            net.name, net.subnet.str(), range.subnet, range.why));
        }
    }
}

void check_networks(const Topology& topo, const Lookup& lookup, Diagnostics& diag) {
    for (const auto& net : topo.networks) check_network_range(net, diag);
    for (size_t i = 0; i < topo.networks.size(); ++i) {
        for (size_t j = 0; j < i; ++j) {
            const Network& a = topo.networks[i];
            const Network& b = topo.networks[j];
            if (a.valid && b.valid && a.subnet.overlaps(b.subnet) &&
                !may_overlap(topo, lookup, a, b)) {
                diag.error(a.loc,
                           fmt::format("network '{}' ({}) overlaps network '{}' ({}, line {}); "
                                       "expected disjoint subnets (only networks behind "
                                       "different NATs may reuse addresses)",
                                       a.name, a.subnet.str(), b.name, b.subnet.str(), b.loc.line));
            }
        }
    }
}

/// Every attachment of every node, with a printable owner.
template <typename Fn>
void for_each_attachment(Topology& topo, Fn&& fn) {
    for (auto& host : topo.hosts) {
        for (auto& att : host.attachments) fn(fmt::format("host '{}'", host.name), att, false);
    }
    for (auto& router : topo.routers) {
        if (!router.wan.network.empty())
            fn(fmt::format("router '{}' wan", router.name), router.wan, false);
        for (auto& lan : router.lans) fn(fmt::format("router '{}' lan", router.name), lan, true);
    }
}

void check_and_assign_addresses(Topology& topo, const Lookup& lookup, Diagnostics& diag) {
    AddressBook book(lookup);
    for_each_attachment(topo, [&](const std::string& owner, Attachment& att, bool) {
        if (!lookup.network(att.network)) {
            diag.error(att.loc, fmt::format("{}: unknown network '{}'", owner, att.network));
            return;
        }
        for (const auto& spec : att.addresses) book.claim(att.network, spec, owner, diag);
    });
    // Routers first, so that a router's `auto` on its lan gets the first
    // address (.1), as people expect of a gateway.
    for_each_attachment(topo, [&](const std::string& owner, Attachment& att, bool is_lan) {
        if (!is_lan) return;
        for (auto& spec : att.addresses) book.assign(att.network, spec, owner, diag);
    });
    for_each_attachment(topo, [&](const std::string& owner, Attachment& att, bool is_lan) {
        if (is_lan) return;
        for (auto& spec : att.addresses) book.assign(att.network, spec, owner, diag);
    });
    // A `renumber` step's address is taken for the whole run: no node may
    // have it before, and no later `auto` gets it.
    std::vector<RenumberStep*> renumbers;
    for (auto& step : topo.steps) {
        if (auto* r = std::get_if<RenumberStep>(&step.action); r && !r->network.empty())
            renumbers.push_back(r);
    }
    for (auto* r : renumbers)
        book.claim(r->network, r->to, fmt::format("renumber '{}'", r->node), diag);
    for (auto* r : renumbers)
        book.assign(r->network, r->to, fmt::format("renumber '{}'", r->node), diag);
}

/// `port-block`: enough blocks in the range for every inside address (the
/// ruleset gives one to each address, in order, plan_router_rules).
void check_port_blocks(const Topology& topo, const Router& router, Diagnostics& diag) {
    if (!router.nat || router.nat->behaviour.port_block == 0) return;
    const NatBehaviour& b = router.nat->behaviour;
    size_t inside = 0;
    for (const auto& lan : router.lans) {
        for (const Attachment* a : topo.attachments_on(lan.network, router.name))
            inside += a->addresses.size();
    }
    const auto blocks = static_cast<size_t>((b.port_high - b.port_low + 1) / b.port_block);
    if (inside > blocks) {
        diag.error(router.nat->loc,
                   fmt::format("router '{}': port-block {} gives {} blocks in {}-{}, and {} "
                               "addresses are on its lans",
                               router.name, b.port_block, blocks, b.port_low, b.port_high, inside));
    }
}

void check_routers(const Topology& topo, const Lookup& lookup, Diagnostics& diag) {
    std::map<std::string, const Router*> served_by;
    for (const auto& router : topo.routers) {
        check_port_blocks(topo, router, diag);
        for (const auto& lan : router.lans) {
            if (lan.network == router.wan.network) {
                diag.error(lan.loc,
                           fmt::format("router '{}': network '{}' is both its wan and a lan",
                                       router.name, lan.network));
            }
            auto [it, fresh] = served_by.emplace(lan.network, &router);
            if (!fresh && it->second != &router) {
                diag.error(
                    lan.loc,
                    fmt::format("router '{}': network '{}' is already the lan of router '{}'; "
                                "a network has one router at most",
                                router.name, lan.network, it->second->name));
            }
        }
    }
    // Follow each router's upstream chain: wan network -> router serving it.
    for (const auto& router : topo.routers) {
        std::set<std::string> seen{router.name};
        const Router* up = lookup.serving(router.wan.network);
        while (up) {
            if (!seen.insert(up->name).second) {
                diag.error(router.loc,
                           fmt::format("router '{}' is part of a router loop: its wan leads back "
                                       "through router '{}'; expected a tree of routers",
                                       router.name, up->name));
                break;
            }
            up = lookup.serving(up->wan.network);
        }
    }
}

std::map<std::string, int> member_counts(const Topology& topo) {
    std::map<std::string, int> members;
    for (const auto& host : topo.hosts) {
        for (const auto& att : host.attachments) ++members[att.network];
    }
    for (const auto& router : topo.routers) {
        ++members[router.wan.network];
        for (const auto& lan : router.lans) ++members[lan.network];
    }
    return members;
}

bool moves(const Topology& topo, const std::string& host) {
    return std::any_of(topo.steps.begin(), topo.steps.end(), [&](const Step& s) {
        const auto* m = std::get_if<MoveStep>(&s.action);
        return m && m->host == host;
    });
}

void check_reachability(const Topology& topo, const Lookup& lookup, Diagnostics& diag) {
    const auto members = member_counts(topo);
    for (const auto& host : topo.hosts) {
        if (host.attachments.empty()) {
            diag.error(host.loc,
                       fmt::format("host '{}' is on no network; expected {{ NETWORK: ADDRESS }}",
                                   host.name));
            continue;
        }
        std::set<std::string> gateways;
        bool has_neighbour = false;
        for (const auto& att : host.attachments) {
            if (const Router* r = lookup.serving(att.network)) gateways.insert(r->name);
            auto it = members.find(att.network);
            has_neighbour = has_neighbour || (it != members.end() && it->second > 1);
        }
        // A host that `move`s starts through the first of them (Wi-Fi and
        // cellular); any other would have no single default route.
        if (gateways.size() > 1 && !moves(topo, host.name)) {
            diag.error(host.loc,
                       fmt::format("host '{}' has no single default route: it is on the lans of "
                                   "routers '{}' and '{}' (a host a `move` step moves may be)",
                                   host.name, *gateways.begin(), *std::next(gateways.begin())));
        }
        if (!has_neighbour) {
            diag.error(host.loc,
                       fmt::format("host '{}' has no route to anything: no other node is on its "
                                   "network(s)",
                                   host.name));
        }
    }
    for (const auto& net : topo.networks) {
        if (!members.count(net.name))
            diag.warning(net.loc, fmt::format("network '{}' is not used by any node", net.name));
    }
}

}  // namespace

void validate_topology(Topology& topo, Diagnostics& diag) {
    const Lookup lookup(topo);
    check_networks(topo, lookup, diag);
    resolve_renumber_networks(topo, diag);
    check_and_assign_addresses(topo, lookup, diag);
    check_routers(topo, lookup, diag);
    check_port_mapping(topo, diag);
    check_nat_behaviours(topo, diag);
    check_reachability(topo, lookup, diag);
    check_steps(topo, diag);
    check_move_steps(topo, diag);
    check_cell_templates(topo, diag);
}

}  // namespace testbed
