#include "kernel/linux/netlink.h"

#include <arpa/inet.h>
#include <fmt/core.h>

#include "base/error.h"
#include "kernel/features.h"
#include "kernel/linux/netns.h"

namespace testbed::netlink {
namespace {

/// What a missing kernel feature looks like from netlink, and what it is.
std::string feature_hint(int rc, const std::string& call) {
    if (rc != -NLE_OPNOTSUPP && rc != -NLE_NOATTR && rc != -NLE_INVAL) return {};
    auto ask = [](const KernelFeature& f) {
        return fmt::format(" (does this kernel have {}? {})", f.name, f.options);
    };
    if (call.find("veth") != std::string::npos) return ask(feature::kVeth);
    if (call.find("bridge") != std::string::npos) return ask(feature::kBridge);
    return {};
}

}  // namespace

void check(int rc, const std::string& call) {
    if (rc < 0) throw SystemError(call, nl_geterror(rc) + feature_hint(rc, call));
}

NlAddrPtr make_addr(Ipv4 ip, int prefix) {
    const uint32_t be = htonl(ip.value);
    NlAddrPtr addr(nl_addr_build(AF_INET, &be, sizeof be));
    if (!addr) throw SystemError("nl_addr_build", "out of memory");
    nl_addr_set_prefixlen(addr.get(), prefix);
    return addr;
}

SockPtr connect_in(int ns_fd, int protocol, const std::string& where) {
    // A netlink socket belongs to the namespace its creator was in.
    NetnsScope scope(ns_fd);
    SockPtr sock(nl_socket_alloc());
    if (!sock) throw SystemError("nl_socket_alloc", "out of memory");
    check(nl_connect(sock.get(), protocol),
          fmt::format("nl_connect({}) in '{}'",
                      protocol == NETLINK_ROUTE ? "NETLINK_ROUTE" : "NETLINK_NETFILTER", where));
    return sock;
}

}  // namespace testbed::netlink
