#include "core/linux_kernel.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <fmt/core.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_conntrack.h>
#include <net/if.h>
#include <netlink/netlink.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>
#include <netlink/route/link/bridge.h>
#include <netlink/route/link/veth.h>
#include <netlink/route/qdisc.h>
#include <netlink/route/qdisc/netem.h>
#include <netlink/route/qdisc/tbf.h>
#include <netlink/route/route.h>
#include <nftables/libnftables.h>

#include "core/error.h"
#include "core/log.h"
#include "core/netns.h"

namespace testbed {
namespace {

struct NlSockDeleter {
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
struct NftDeleter {
    void operator()(nft_ctx* c) const { nft_ctx_free(c); }
};
using LinkPtr = std::unique_ptr<rtnl_link, LinkDeleter>;
using NlAddrPtr = std::unique_ptr<nl_addr, NlAddrDeleter>;

/// What a missing kernel feature looks like from netlink, and what it is.
std::string feature_hint(int rc, const std::string& call) {
    if (rc != -NLE_OPNOTSUPP && rc != -NLE_NOATTR && rc != -NLE_INVAL) return {};
    if (call.find("veth") != std::string::npos) return " (does this kernel have veth? CONFIG_VETH)";
    if (call.find("bridge") != std::string::npos)
        return " (does this kernel have bridges? CONFIG_BRIDGE)";
    return {};
}

void check_nl(int rc, const std::string& call) {
    if (rc < 0) throw SystemError(call, nl_geterror(rc) + feature_hint(rc, call));
}

NlAddrPtr make_addr(Ipv4 ip, int prefix) {
    const uint32_t be = htonl(ip.value);
    NlAddrPtr addr(nl_addr_build(AF_INET, &be, sizeof be));
    if (!addr) throw SystemError("nl_addr_build", "out of memory");
    nl_addr_set_prefixlen(addr.get(), prefix);
    return addr;
}

/// Writes /proc/sys/KEY in the calling thread's namespace (`where` names it
/// in errors).
void write_sysctl(const std::string& where, const std::string& key, const std::string& value) {
    const std::string path = "/proc/sys/" + key;
    Fd file(::open(path.c_str(), O_WRONLY | O_CLOEXEC));
    if (!file.valid()) {
        // IPv6 may be compiled out: its sysctls are optional, the others not.
        if (errno == ENOENT && key.rfind("net/ipv6/", 0) == 0) return;
        throw_errno(fmt::format("open({}) in '{}'", path, where));
    }
    if (::write(file.get(), value.data(), value.size()) != static_cast<ssize_t>(value.size())) {
        throw_errno(fmt::format("write({}, '{}') in '{}'", path, value, where));
    }
}

}  // namespace

struct LinuxKernel::Namespace {
    std::string name;
    Fd fd;
    std::unique_ptr<nl_sock, NlSockDeleter> sock;
    std::map<std::string, int> ifindex;
};

LinuxKernel::LinuxKernel() = default;
LinuxKernel::~LinuxKernel() = default;

LinuxKernel::Namespace& LinuxKernel::get(int ns) {
    auto& entry = namespaces_.at(static_cast<size_t>(ns));
    if (!entry) throw Error(fmt::format("namespace #{} was already destroyed", ns));
    return *entry;
}

int LinuxKernel::fd(int ns) const {
    return namespaces_.at(static_cast<size_t>(ns))->fd.get();
}

int LinuxKernel::create_namespace(const std::string& name, const std::vector<Sysctl>& sysctls) {
    auto ns = std::make_unique<Namespace>();
    ns->name = name;
    ns->fd = create_netns([&] {
        for (const auto& [key, value] : sysctls) write_sysctl(name, key, value);
    });
    namespaces_.push_back(std::move(ns));
    const int id = static_cast<int>(namespaces_.size() - 1);
    log::debug("namespace '{}' created", name);
    return id;
}

nl_sock* LinuxKernel::socket(int ns) {
    Namespace& n = get(ns);
    if (n.sock) return n.sock.get();
    // A netlink socket belongs to the namespace its creator was in.
    NetnsScope scope(n.fd.get());
    n.sock.reset(nl_socket_alloc());
    if (!n.sock) throw SystemError("nl_socket_alloc", "out of memory");
    check_nl(nl_connect(n.sock.get(), NETLINK_ROUTE),
             fmt::format("nl_connect(NETLINK_ROUTE) in '{}'", n.name));
    return n.sock.get();
}

void LinuxKernel::close_sockets() {
    for (auto& ns : namespaces_) {
        if (ns) ns->sock.reset();
    }
}

int LinuxKernel::ifindex(int ns, const std::string& interface) {
    Namespace& n = get(ns);
    auto it = n.ifindex.find(interface);
    if (it != n.ifindex.end()) return it->second;
    rtnl_link* raw = nullptr;
    check_nl(rtnl_link_get_kernel(socket(ns), 0, interface.c_str(), &raw),
             fmt::format("rtnl_link_get_kernel(name:'{}') in '{}'", interface, n.name));
    LinkPtr link(raw);
    const int index = rtnl_link_get_ifindex(link.get());
    n.ifindex[interface] = index;
    return index;
}

void LinuxKernel::set_sysctl(int ns, const std::string& key, const std::string& value) {
    Namespace& n = get(ns);
    NetnsScope scope(n.fd.get());
    write_sysctl(n.name, key, value);
}

void LinuxKernel::add_veth(int ns_a, const std::string& name_a, int ns_b,
                           const std::string& name_b) {
    LinkPtr link(rtnl_link_veth_alloc());
    if (!link) throw SystemError("rtnl_link_veth_alloc", "out of memory");
    rtnl_link_set_name(link.get(), name_a.c_str());
    LinkPtr peer(rtnl_link_veth_get_peer(link.get()));
    rtnl_link_set_name(peer.get(), name_b.c_str());
    rtnl_link_set_ns_fd(peer.get(), get(ns_b).fd.get());
    const int rc = rtnl_link_add(socket(ns_a), link.get(), NLM_F_CREATE | NLM_F_EXCL);
    peer.reset();
    rtnl_link_veth_release(link.release());
    check_nl(rc, fmt::format("rtnl_link_add(veth name:'{}' in '{}' peer:'{}' in '{}')", name_a,
                             get(ns_a).name, name_b, get(ns_b).name));
}

void LinuxKernel::add_bridge(int ns, const std::string& name) {
    LinkPtr link(rtnl_link_bridge_alloc());
    if (!link) throw SystemError("rtnl_link_bridge_alloc", "out of memory");
    rtnl_link_set_name(link.get(), name.c_str());
    check_nl(rtnl_link_add(socket(ns), link.get(), NLM_F_CREATE | NLM_F_EXCL),
             fmt::format("rtnl_link_add(bridge name:'{}') in '{}'", name, get(ns).name));
}

void LinuxKernel::enslave(int ns, const std::string& port, const std::string& bridge) {
    check_nl(rtnl_link_enslave_ifindex(socket(ns), ifindex(ns, bridge), ifindex(ns, port)),
             fmt::format("rtnl_link_enslave(master:'{}' port:'{}') in '{}'", bridge, port,
                         get(ns).name));
}

void LinuxKernel::add_address(int ns, const std::string& interface, Ipv4 address, int prefix) {
    std::unique_ptr<rtnl_addr, AddrDeleter> addr(rtnl_addr_alloc());
    if (!addr) throw SystemError("rtnl_addr_alloc", "out of memory");
    rtnl_addr_set_ifindex(addr.get(), ifindex(ns, interface));
    NlAddrPtr local = make_addr(address, prefix);
    check_nl(rtnl_addr_set_local(addr.get(), local.get()), "rtnl_addr_set_local");
    check_nl(rtnl_addr_add(socket(ns), addr.get(), NLM_F_CREATE | NLM_F_EXCL),
             fmt::format("rtnl_addr_add(dev:'{}' local:{}/{}) in '{}'", interface, address.str(),
                         prefix, get(ns).name));
}

void LinuxKernel::set_link_state(int ns, const std::string& interface, bool up) {
    LinkPtr change(rtnl_link_alloc());
    if (!change) throw SystemError("rtnl_link_alloc", "out of memory");
    rtnl_link_set_ifindex(change.get(), ifindex(ns, interface));
    if (up)
        rtnl_link_set_flags(change.get(), IFF_UP);
    else
        rtnl_link_unset_flags(change.get(), IFF_UP);
    // Passing the change as its own original makes libnl send RTM_NEWLINK
    // with just the ifindex and the flag, without reading the link first.
    check_nl(rtnl_link_change(socket(ns), change.get(), change.get(), 0),
             fmt::format("rtnl_link_change(dev:'{}' {}) in '{}'", interface, up ? "up" : "down",
                         get(ns).name));
}

void LinuxKernel::set_link_up(int ns, const std::string& interface) {
    set_link_state(ns, interface, true);
}

void LinuxKernel::set_link_down(int ns, const std::string& interface) {
    set_link_state(ns, interface, false);
}

void LinuxKernel::add_qdisc(int ns, const std::string& interface, const std::string& kind) {
    std::unique_ptr<rtnl_qdisc, decltype(&rtnl_qdisc_put)> q(rtnl_qdisc_alloc(), &rtnl_qdisc_put);
    if (!q) throw SystemError("rtnl_qdisc_alloc", "out of memory");
    rtnl_tc_set_ifindex(TC_CAST(q.get()), ifindex(ns, interface));
    rtnl_tc_set_parent(TC_CAST(q.get()), TC_H_ROOT);
    check_nl(rtnl_tc_set_kind(TC_CAST(q.get()), kind.c_str()),
             fmt::format("rtnl_tc_set_kind({})", kind));
    if (kind == "tbf") {
        rtnl_qdisc_tbf_set_limit(q.get(), 100000);
        rtnl_qdisc_tbf_set_rate(q.get(), 1250000, 16000, 0);  // 10 Mbit/s
    } else if (kind == "netem") {
        rtnl_netem_set_delay(q.get(), 1000);  // 1 ms
    }
    check_nl(
        rtnl_qdisc_add(socket(ns), q.get(), NLM_F_CREATE | NLM_F_REPLACE),
        fmt::format("rtnl_qdisc_add(dev:'{}' root {}) in '{}'", interface, kind, get(ns).name));
}

void LinuxKernel::flush_conntrack(int ns) {
    Namespace& n = get(ns);
    // ctnetlink: IPCTNL_MSG_CT_DELETE without a tuple deletes every entry.
    std::unique_ptr<nl_sock, NlSockDeleter> sock;
    {
        NetnsScope scope(n.fd.get());
        sock.reset(nl_socket_alloc());
        if (!sock) throw SystemError("nl_socket_alloc", "out of memory");
        check_nl(nl_connect(sock.get(), NETLINK_NETFILTER),
                 fmt::format("nl_connect(NETLINK_NETFILTER) in '{}'", n.name));
    }
    std::unique_ptr<nl_msg, decltype(&nlmsg_free)> msg(
        nlmsg_alloc_simple((NFNL_SUBSYS_CTNETLINK << 8) | IPCTNL_MSG_CT_DELETE,
                           NLM_F_REQUEST | NLM_F_ACK),
        &nlmsg_free);
    if (!msg) throw SystemError("nlmsg_alloc_simple", "out of memory");
    nfgenmsg header{};
    header.nfgen_family = AF_INET;
    header.version = NFNETLINK_V0;
    check_nl(nlmsg_append(msg.get(), &header, sizeof header, NLMSG_ALIGNTO),
             "nlmsg_append(nfgenmsg)");
    const std::string call = fmt::format("ctnetlink CT_DELETE (flush) in '{}'", n.name);
    check_nl(nl_send_auto(sock.get(), msg.get()), call);
    const int rc = nl_wait_for_ack(sock.get());
    if (rc < 0 && rc != -NLE_OBJ_NOTFOUND) check_nl(rc, call);  // an empty table is fine
}

void LinuxKernel::add_route(int ns, const RoutePlan& route) {
    std::unique_ptr<rtnl_route, RouteDeleter> r(rtnl_route_alloc());
    if (!r) throw SystemError("rtnl_route_alloc", "out of memory");
    rtnl_route_set_family(r.get(), AF_INET);
    rtnl_route_set_table(r.get(), RT_TABLE_MAIN);
    rtnl_route_set_protocol(r.get(), RTPROT_STATIC);
    rtnl_route_set_scope(r.get(), RT_SCOPE_UNIVERSE);
    NlAddrPtr dst = make_addr(route.destination.network, route.destination.prefix);
    check_nl(rtnl_route_set_dst(r.get(), dst.get()), "rtnl_route_set_dst");
    rtnl_nexthop* nh = rtnl_route_nh_alloc();
    if (!nh) throw SystemError("rtnl_route_nh_alloc", "out of memory");
    NlAddrPtr gw = make_addr(route.gateway, 32);
    rtnl_route_nh_set_gateway(nh, gw.get());
    rtnl_route_nh_set_ifindex(nh, ifindex(ns, route.interface));
    rtnl_route_add_nexthop(r.get(), nh);  // the route owns nh from here
    check_nl(rtnl_route_add(socket(ns), r.get(), NLM_F_CREATE | NLM_F_EXCL),
             fmt::format("rtnl_route_add(dst:{} via:{} dev:'{}') in '{}'", route.destination.str(),
                         route.gateway.str(), route.interface, get(ns).name));
}

void LinuxKernel::apply_ruleset(int ns, const std::string& ruleset) {
    Namespace& n = get(ns);
    try {
        run_nft(n.fd.get(), ruleset);
    } catch (const SystemError& e) {
        throw SystemError(
            fmt::format("nft_run_cmd_from_buffer in '{}'", n.name),
            std::string(e.what()) +
                " (the rules need nf_tables with NAT and conntrack: CONFIG_NF_TABLES, "
                "CONFIG_NFT_NAT, CONFIG_NFT_MASQ, CONFIG_NF_CONNTRACK; `testbed rules` "
                "prints them)");
    }
}

void LinuxKernel::destroy_namespace(int ns) {
    auto& entry = namespaces_.at(static_cast<size_t>(ns));
    if (entry) log::debug("namespace '{}' released", entry->name);
    entry.reset();
}

namespace {

std::string run_nft_in(int ns_fd, const std::string& commands, bool dry_run) {
    // libnftables opens its netlink socket in the namespace of the thread
    // that uses the context: create, use and free it inside.
    NetnsScope scope(ns_fd);
    std::unique_ptr<nft_ctx, NftDeleter> ctx(nft_ctx_new(NFT_CTX_DEFAULT));
    if (!ctx) throw SystemError("nft_ctx_new", "out of memory");
    nft_ctx_buffer_output(ctx.get());
    nft_ctx_buffer_error(ctx.get());
    nft_ctx_set_dry_run(ctx.get(), dry_run);
    if (nft_run_cmd_from_buffer(ctx.get(), commands.c_str()) != 0) {
        std::string err = nft_ctx_get_error_buffer(ctx.get());
        while (!err.empty() && err.back() == '\n') err.pop_back();
        throw SystemError("nft_run_cmd_from_buffer", err.empty() ? "failed" : err);
    }
    return nft_ctx_get_output_buffer(ctx.get());
}

}  // namespace

std::string run_nft(int ns_fd, const std::string& commands) {
    return run_nft_in(ns_fd, commands, false);
}

void run_nft_check(int ns_fd, const std::string& commands) {
    run_nft_in(ns_fd, commands, true);
}

}  // namespace testbed
