#include "kernel/linux/conntrack.h"

#include <fmt/core.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_conntrack.h>
#include <sys/socket.h>

#include "base/error.h"
#include "kernel/linux/netlink.h"

namespace testbed {

void flush_conntrack_in(int ns_fd, const std::string& where) {
    netlink::SockPtr sock = netlink::connect_in(ns_fd, NETLINK_NETFILTER, where);
    // ctnetlink: IPCTNL_MSG_CT_DELETE without a tuple deletes every entry.
    std::unique_ptr<nl_msg, decltype(&nlmsg_free)> msg(
        nlmsg_alloc_simple((NFNL_SUBSYS_CTNETLINK << 8) | IPCTNL_MSG_CT_DELETE,
                           NLM_F_REQUEST | NLM_F_ACK),
        &nlmsg_free);
    if (!msg) throw SystemError("nlmsg_alloc_simple", "out of memory");
    nfgenmsg header{};
    header.nfgen_family = AF_INET;
    header.version = NFNETLINK_V0;
    netlink::check(nlmsg_append(msg.get(), &header, sizeof header, NLMSG_ALIGNTO),
                   "nlmsg_append(nfgenmsg)");
    const std::string call = fmt::format("ctnetlink CT_DELETE (flush) in '{}'", where);
    netlink::check(nl_send_auto(sock.get(), msg.get()), call);
    const int rc = nl_wait_for_ack(sock.get());
    if (rc < 0 && rc != -NLE_OBJ_NOTFOUND) netlink::check(rc, call);
}

}  // namespace testbed
