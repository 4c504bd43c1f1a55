#pragma once
/// libnl helpers shared by the LinuxKernel's files: owners for libnl
/// objects, errors that name the call, and sockets opened inside a namespace.

#include <netlink/netlink.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>
#include <netlink/route/route.h>

#include <memory>
#include <string>

#include "base/ipv4.h"

namespace testbed::netlink {

struct SockDeleter {
    void operator()(nl_sock* s) const { nl_socket_free(s); }
};
struct LinkDeleter {
    void operator()(rtnl_link* l) const { rtnl_link_put(l); }
};
struct AddrDeleter {
    void operator()(rtnl_addr* a) const { rtnl_addr_put(a); }
};
struct NlAddrDeleter {
    void operator()(nl_addr* a) const { nl_addr_put(a); }
};
struct RouteDeleter {
    void operator()(rtnl_route* r) const { rtnl_route_put(r); }
};
struct NexthopDeleter {
    void operator()(rtnl_nexthop* n) const { rtnl_route_nh_free(n); }
};
using SockPtr = std::unique_ptr<nl_sock, SockDeleter>;
using LinkPtr = std::unique_ptr<rtnl_link, LinkDeleter>;
using AddrPtr = std::unique_ptr<rtnl_addr, AddrDeleter>;
using NlAddrPtr = std::unique_ptr<nl_addr, NlAddrDeleter>;
using RoutePtr = std::unique_ptr<rtnl_route, RouteDeleter>;
using NexthopPtr = std::unique_ptr<rtnl_nexthop, NexthopDeleter>;

/// Throws SystemError(call, libnl's text and, where the error looks like a
/// missing kernel feature, which one) when rc < 0.
void check(int rc, const std::string& call);

/// An IPv4 address with a prefix length as libnl takes it.
NlAddrPtr make_addr(Ipv4 ip, int prefix);

/// A netlink socket of `protocol` (NETLINK_ROUTE, NETLINK_NETFILTER) that
/// belongs to the namespace behind `ns_fd`; `where` names it in errors.
SockPtr connect_in(int ns_fd, int protocol, const std::string& where);

}  // namespace testbed::netlink
