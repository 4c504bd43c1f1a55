// The `run:` steps against the topology they change.

#include "validate/steps.h"

#include <fmt/core.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <map>

namespace testbed {
namespace {

void check_link_step(const Topology& topo, const LinkStep& link, SourceLoc loc, Diagnostics& diag) {
    if (link.lasts && link.lasts->count() <= 0)
        diag.error(loc, "link for: expected a duration above zero");
    if (link.network.empty()) return;
    if (!topo.find_network(link.network)) {
        diag.error(loc, fmt::format("link: unknown network '{}'", link.network));
        return;
    }
    if (link.node.empty()) return;
    if (!topo.has_node(link.node))
        diag.error(loc, fmt::format("link: unknown node '{}'", link.node));
    else if (!topo.attachment_of(link.node, link.network))
        diag.error(loc,
                   fmt::format("link: node '{}' is not on network '{}'", link.node, link.network));
}

}  // namespace

void resolve_renumber_networks(Topology& topo, Diagnostics& diag) {
    for (auto& step : topo.steps) {
        auto* r = std::get_if<RenumberStep>(&step.action);
        if (!r || r->node.empty()) continue;
        std::vector<std::string> networks;
        if (const Host* h = topo.find_host(r->node)) {
            for (const auto& a : h->attachments) networks.push_back(a.network);
        } else if (const Router* router = topo.find_router(r->node)) {
            networks.push_back(router->wan.network);
            for (const auto& a : router->lans) networks.push_back(a.network);
            if (router->port_mapping) {
                diag.error(step.loc, fmt::format("renumber: router '{}' answers port mapping; its "
                                                 "gateway daemon would keep the old address",
                                                 r->node));
                r->network.clear();
                continue;
            }
        } else {
            diag.error(step.loc, fmt::format("renumber: unknown node '{}'", r->node));
            continue;
        }
        if (r->network.empty() && networks.size() == 1) {
            r->network = networks.front();
        } else if (r->network.empty()) {
            diag.error(step.loc, fmt::format("renumber: '{}' is on several networks ({}); "
                                             "expected 'network:' to say which",
                                             r->node, fmt::join(networks, ", ")));
        } else if (std::find(networks.begin(), networks.end(), r->network) == networks.end()) {
            diag.error(step.loc,
                       fmt::format("renumber: '{}' is not on network '{}'", r->node, r->network));
            r->network.clear();
        }
    }
}

void check_move_steps(const Topology& topo, Diagnostics& diag) {
    std::map<std::string, std::string> uplinks;
    for (const auto& step : topo.steps) {
        const auto* m = std::get_if<MoveStep>(&step.action);
        if (!m || m->host.empty() || m->to.empty()) continue;
        const Host* host = topo.find_host(m->host);
        if (!host) {
            diag.error(step.loc, fmt::format("move: unknown host '{}'{}", m->host,
                                             topo.find_router(m->host) ? " (a router stays)" : ""));
            continue;
        }
        if (!topo.attachment_of(m->host, m->to)) {
            diag.error(step.loc, fmt::format("move: host '{}' is not on network '{}'; expected "
                                             "one of its networks (the file attaches it to each "
                                             "network it moves to)",
                                             m->host, m->to));
            continue;
        }
        if (!topo.router_serving(m->to)) {
            diag.error(step.loc, fmt::format("move: no router serves network '{}'; expected a "
                                             "network a router's lan is on",
                                             m->to));
            continue;
        }
        auto it = uplinks.try_emplace(m->host, topo.uplink_of(*host)).first;
        if (it->second == m->to) {
            diag.error(step.loc,
                       fmt::format("move: host '{}' is on network '{}' already", m->host, m->to));
        }
        it->second = m->to;
    }
}

void check_steps(const Topology& topo, Diagnostics& diag) {
    std::map<std::string, SourceLoc> started;
    // A port-mapping router's daemon runs from the start, under its own name.
    for (const auto& router : topo.routers) {
        if (router.port_mapping)
            started.emplace(gateway_process(router.name), router.port_mapping->loc);
    }
    for (const auto& step : topo.steps) {
        if (const auto* start = std::get_if<StartStep>(&step.action)) {
            if (!start->node.empty() && !topo.has_node(start->node)) {
                diag.error(step.loc,
                           fmt::format("start '{}': unknown node '{}'; expected a host or router",
                                       start->name, start->node));
            }
            auto [it, fresh] = started.emplace(start->name, step.loc);
            if (!fresh) {
                diag.error(step.loc,
                           fmt::format("start '{}': a process of that name was started at line {}",
                                       start->name, it->second.line));
            }
        } else if (const auto* link = std::get_if<LinkStep>(&step.action)) {
            check_link_step(topo, *link, step.loc, diag);
        } else if (const auto* set = std::get_if<SetNatStep>(&step.action)) {
            if (!set->router.empty() && !topo.find_router(set->router)) {
                diag.error(step.loc, fmt::format("set-nat: unknown router '{}'", set->router));
            } else if (const Router* r = topo.find_router(set->router); r && r->firewall) {
                diag.error(
                    step.loc,
                    fmt::format("set-nat: router '{}' is a firewall; expected a router with nat",
                                set->router));
            }
        } else if (const auto* flush = std::get_if<FlushStep>(&step.action)) {
            if (!flush->router.empty() && !topo.find_router(flush->router)) {
                diag.error(step.loc, fmt::format("flush: unknown router '{}'", flush->router));
            }
        } else if (const auto* wait = std::get_if<WaitStep>(&step.action)) {
            for (const auto& name : wait->names) {
                if (!name.empty() && !started.count(name)) {
                    diag.error(
                        step.loc,
                        fmt::format("wait: unknown process '{}'; expected one started earlier",
                                    name));
                }
            }
        }
    }
    for (const auto& e : topo.expectations) {
        if (!started.count(e.process)) {
            diag.error(e.loc, fmt::format(
                                  "expect: unknown process '{}'; expected the name of a start step",
                                  e.process));
        }
        // `exit: ${var}` is a code in each matrix cell, or this cell names the mistake.
        if (e.exit_template && !e.exit_code && !topo.cell.empty()) {
            diag.error(e.loc, fmt::format("expect '{}' exit: {} is not a number from 0 to 255 "
                                          "in cell {}",
                                          e.process, *e.exit_template, topo.name));
        }
    }
    // `via: ${var}` is a path in each matrix cell, or this cell names the mistake.
    for (const auto& t : topo.traffic) {
        if (t.via == "relay" && t.min_packets > kMaxRelayEvidence) {
            diag.error(t.loc, fmt::format("traffic between {} and {}: via relay with "
                                          "min-packets {}; a relay is judged from the first {} "
                                          "packets each host receives from each other host",
                                          t.a, t.b, t.min_packets, kMaxRelayEvidence));
        }
        if (topo.cell.empty() || is_traffic_path(t.via)) continue;
        diag.error(t.loc, fmt::format("traffic between {} and {}: via '{}' is not direct, relay "
                                      "or none in cell {}",
                                      t.a, t.b, t.via, topo.name));
    }
}

}  // namespace testbed
