#include "validate/nat_behaviour.h"

#include <fmt/core.h>

namespace testbed {
namespace {

void check_behaviour(const Router& router, const NatBehaviour& b, const SourceLoc& loc,
                     const std::string& where, Diagnostics& diag) {
    const size_t pool = router.wan.addresses.size();
    if (b.pooling == Pooling::arbitrary && b.translates() && pool < 2) {
        diag.error(loc, fmt::format("{}: pooling arbitrary picks among several public addresses, "
                                    "and router '{}' has one; give its wan a list, like "
                                    "wan: {{ {}: [203.0.113.10, 203.0.113.11] }}",
                                    where, router.name, router.wan.network));
    }
    if (b.tcp.synack_after_syn && b.translates() && pool > 1) {
        diag.error(loc, fmt::format("{}: tcp-synack-after-syn accept rewrites a SYN-ACK to one "
                                    "public address, and router '{}' has {}; give it one",
                                    where, router.name, pool));
    }
    if (b.refresh == Refresh::outbound && router.port_mapping) {
        diag.error(loc, fmt::format("{}: refresh outbound would drop what comes in to the "
                                    "gateway's mappings of router '{}' once idle; leave refresh "
                                    "at both",
                                    where, router.name));
    }
}

}  // namespace

void check_nat_behaviours(const Topology& topo, Diagnostics& diag) {
    for (const auto& router : topo.routers) {
        if (router.nat) {
            check_behaviour(router, router.nat->behaviour, router.nat->loc,
                            fmt::format("router '{}' nat", router.name), diag);
        }
    }
    for (const auto& step : topo.steps) {
        const auto* set = std::get_if<SetNatStep>(&step.action);
        const Router* router = set ? topo.find_router(set->router) : nullptr;
        if (router) check_behaviour(*router, set->nat.behaviour, step.loc, "set-nat", diag);
    }
}

}  // namespace testbed
