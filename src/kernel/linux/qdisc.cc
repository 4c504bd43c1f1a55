#include "kernel/linux/qdisc.h"

#include <fmt/core.h>
#include <netlink/route/qdisc.h>
#include <netlink/route/qdisc/netem.h>
#include <netlink/route/qdisc/tbf.h>

#include <memory>

#include "base/error.h"
#include "kernel/linux/netlink.h"

namespace testbed {

void add_probe_qdisc(nl_sock* sock, int ifindex, const std::string& interface,
                     const std::string& kind, const std::string& where) {
    std::unique_ptr<rtnl_qdisc, decltype(&rtnl_qdisc_put)> q(rtnl_qdisc_alloc(), &rtnl_qdisc_put);
    if (!q) throw SystemError("rtnl_qdisc_alloc", "out of memory");
    rtnl_tc_set_ifindex(TC_CAST(q.get()), ifindex);
    rtnl_tc_set_parent(TC_CAST(q.get()), TC_H_ROOT);
    netlink::check(rtnl_tc_set_kind(TC_CAST(q.get()), kind.c_str()),
                   fmt::format("rtnl_tc_set_kind({})", kind));
    if (kind == "tbf") {
        rtnl_qdisc_tbf_set_limit(q.get(), 100000);
        rtnl_qdisc_tbf_set_rate(q.get(), 1250000, 16000, 0);  // 10 Mbit/s
    } else if (kind == "netem") {
        rtnl_netem_set_delay(q.get(), 1000);  // 1 ms
    }
    netlink::check(rtnl_qdisc_add(sock, q.get(), NLM_F_CREATE | NLM_F_REPLACE),
                   fmt::format("rtnl_qdisc_add(dev:'{}' root {}) in '{}'", interface, kind, where));
}

}  // namespace testbed
