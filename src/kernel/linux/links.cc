// LinuxKernel: links, addresses and routes over netlink (libnl-route-3).

#include <fmt/core.h>
#include <linux/if.h>
#include <netlink/route/link/bridge.h>
#include <netlink/route/link/veth.h>

#include "base/error.h"
#include "kernel/linux/linux_kernel.h"
#include "kernel/linux/linux_namespace.h"
#include "kernel/linux/netlink.h"

namespace testbed {

int LinuxKernel::ifindex(int ns, const std::string& interface) {
    Namespace& n = get(ns);
    auto it = n.ifindex.find(interface);
    if (it != n.ifindex.end()) return it->second;
    rtnl_link* raw = nullptr;
    netlink::check(rtnl_link_get_kernel(socket(ns), 0, interface.c_str(), &raw),
                   fmt::format("rtnl_link_get_kernel(name:'{}') in '{}'", interface, n.name));
    netlink::LinkPtr link(raw);
    const int index = rtnl_link_get_ifindex(link.get());
    n.ifindex[interface] = index;
    return index;
}

void LinuxKernel::add_veth(int ns_a, const std::string& name_a, int ns_b,
                           const std::string& name_b) {
    netlink::LinkPtr link(rtnl_link_veth_alloc());
    if (!link) throw SystemError("rtnl_link_veth_alloc", "out of memory");
    rtnl_link_set_name(link.get(), name_a.c_str());
    netlink::LinkPtr peer(rtnl_link_veth_get_peer(link.get()));
    rtnl_link_set_name(peer.get(), name_b.c_str());
    rtnl_link_set_ns_fd(peer.get(), get(ns_b).fd.get());
    const int rc = rtnl_link_add(socket(ns_a), link.get(), NLM_F_CREATE | NLM_F_EXCL);
    peer.reset();
    rtnl_link_veth_release(link.release());
    netlink::check(rc, fmt::format("rtnl_link_add(veth name:'{}' in '{}' peer:'{}' in '{}')",
                                   name_a, get(ns_a).name, name_b, get(ns_b).name));
}

void LinuxKernel::add_bridge(int ns, const std::string& name) {
    netlink::LinkPtr link(rtnl_link_bridge_alloc());
    if (!link) throw SystemError("rtnl_link_bridge_alloc", "out of memory");
    rtnl_link_set_name(link.get(), name.c_str());
    netlink::check(rtnl_link_add(socket(ns), link.get(), NLM_F_CREATE | NLM_F_EXCL),
                   fmt::format("rtnl_link_add(bridge name:'{}') in '{}'", name, get(ns).name));
}

void LinuxKernel::enslave(int ns, const std::string& port, const std::string& bridge) {
    netlink::check(rtnl_link_enslave_ifindex(socket(ns), ifindex(ns, bridge), ifindex(ns, port)),
                   fmt::format("rtnl_link_enslave(master:'{}' port:'{}') in '{}'", bridge, port,
                               get(ns).name));
}

namespace {

/// The kernel's object for an address on an interface.
netlink::AddrPtr address_object(int ifindex, Ipv4 address, int prefix) {
    netlink::AddrPtr addr(rtnl_addr_alloc());
    if (!addr) throw SystemError("rtnl_addr_alloc", "out of memory");
    rtnl_addr_set_ifindex(addr.get(), ifindex);
    netlink::NlAddrPtr local = netlink::make_addr(address, prefix);
    netlink::check(rtnl_addr_set_local(addr.get(), local.get()), "rtnl_addr_set_local");
    return addr;
}

}  // namespace

void LinuxKernel::add_address(int ns, const std::string& interface, Ipv4 address, int prefix) {
    netlink::AddrPtr addr = address_object(ifindex(ns, interface), address, prefix);
    netlink::check(rtnl_addr_add(socket(ns), addr.get(), NLM_F_CREATE | NLM_F_EXCL),
                   fmt::format("rtnl_addr_add(dev:'{}' local:{}/{}) in '{}'", interface,
                               address.str(), prefix, get(ns).name));
}

void LinuxKernel::remove_address(int ns, const std::string& interface, Ipv4 address, int prefix) {
    netlink::AddrPtr addr = address_object(ifindex(ns, interface), address, prefix);
    netlink::check(rtnl_addr_delete(socket(ns), addr.get(), 0),
                   fmt::format("rtnl_addr_delete(dev:'{}' local:{}/{}) in '{}'", interface,
                               address.str(), prefix, get(ns).name));
}

void LinuxKernel::set_link_state(int ns, const std::string& interface, bool up) {
    netlink::LinkPtr change(rtnl_link_alloc());
    if (!change) throw SystemError("rtnl_link_alloc", "out of memory");
    rtnl_link_set_ifindex(change.get(), ifindex(ns, interface));
    if (up)
        rtnl_link_set_flags(change.get(), IFF_UP);
    else
        rtnl_link_unset_flags(change.get(), IFF_UP);
    // Passing the change as its own original makes libnl send RTM_NEWLINK
    // with just the ifindex and the flag, without reading the link first.
    netlink::check(rtnl_link_change(socket(ns), change.get(), change.get(), 0),
                   fmt::format("rtnl_link_change(dev:'{}' {}) in '{}'", interface,
                               up ? "up" : "down", get(ns).name));
}

void LinuxKernel::set_mtu(int ns, const std::string& interface, int mtu) {
    netlink::LinkPtr change(rtnl_link_alloc());
    if (!change) throw SystemError("rtnl_link_alloc", "out of memory");
    rtnl_link_set_ifindex(change.get(), ifindex(ns, interface));
    rtnl_link_set_mtu(change.get(), static_cast<unsigned int>(mtu));
    netlink::check(
        rtnl_link_change(socket(ns), change.get(), change.get(), 0),
        fmt::format("rtnl_link_change(dev:'{}' mtu {}) in '{}'", interface, mtu, get(ns).name));
}

void LinuxKernel::set_link_up(int ns, const std::string& interface) {
    set_link_state(ns, interface, true);
}

void LinuxKernel::set_link_down(int ns, const std::string& interface) {
    set_link_state(ns, interface, false);
}

namespace {

/// The kernel's object for a planned route (main table, static, via a gateway).
netlink::RoutePtr route_object(const RoutePlan& route, int ifindex) {
    netlink::RoutePtr r(rtnl_route_alloc());
    if (!r) throw SystemError("rtnl_route_alloc", "out of memory");
    rtnl_route_set_family(r.get(), AF_INET);
    rtnl_route_set_table(r.get(), RT_TABLE_MAIN);
    rtnl_route_set_protocol(r.get(), RTPROT_STATIC);
    rtnl_route_set_scope(r.get(), RT_SCOPE_UNIVERSE);
    netlink::NlAddrPtr dst =
        netlink::make_addr(route.destination.network, route.destination.prefix);
    netlink::check(rtnl_route_set_dst(r.get(), dst.get()), "rtnl_route_set_dst");
    // Everything that can throw comes before the next hop is handed to the
    // route; until then its owner frees it.
    netlink::NlAddrPtr gw = netlink::make_addr(route.gateway, 32);
    netlink::NexthopPtr nh(rtnl_route_nh_alloc());
    if (!nh) throw SystemError("rtnl_route_nh_alloc", "out of memory");
    rtnl_route_nh_set_gateway(nh.get(), gw.get());
    rtnl_route_nh_set_ifindex(nh.get(), ifindex);
    rtnl_route_add_nexthop(r.get(), nh.release());  // the route owns it from here
    return r;
}

std::string describe_route(const RoutePlan& route) {
    return fmt::format("dst:{} via:{} dev:'{}'", route.destination.str(), route.gateway.str(),
                       route.interface);
}

}  // namespace

void LinuxKernel::add_route(int ns, const RoutePlan& route) {
    netlink::RoutePtr r = route_object(route, ifindex(ns, route.interface));
    netlink::check(rtnl_route_add(socket(ns), r.get(), NLM_F_CREATE | NLM_F_EXCL),
                   fmt::format("rtnl_route_add({}) in '{}'", describe_route(route), get(ns).name));
}

void LinuxKernel::replace_route(int ns, const RoutePlan& route) {
    netlink::RoutePtr r = route_object(route, ifindex(ns, route.interface));
    netlink::check(
        rtnl_route_add(socket(ns), r.get(), NLM_F_CREATE | NLM_F_REPLACE),
        fmt::format("rtnl_route_add({} replace) in '{}'", describe_route(route), get(ns).name));
}

void LinuxKernel::remove_route(int ns, const RoutePlan& route) {
    netlink::RoutePtr r = route_object(route, ifindex(ns, route.interface));
    const int rc = rtnl_route_delete(socket(ns), r.get(), 0);
    // Gone already: the kernel drops a link's routes with its last address
    // or when the link goes down.
    if (rc == -NLE_OBJ_NOTFOUND) return;
    netlink::check(
        rc, fmt::format("rtnl_route_delete({}) in '{}'", describe_route(route), get(ns).name));
}

}  // namespace testbed
