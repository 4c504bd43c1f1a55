#include "kernel/linux/qdisc.h"

#include <fmt/core.h>
#include <netlink/route/qdisc.h>
#include <netlink/route/qdisc/netem.h>
#include <netlink/route/qdisc/tbf.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <memory>

#include "base/error.h"
#include "kernel/linux/netlink.h"

namespace testbed {
namespace {

using QdiscPtr = std::unique_ptr<rtnl_qdisc, decltype(&rtnl_qdisc_put)>;

/// A qdisc object for the interface's `parent`, kind not set yet.
QdiscPtr qdisc_at(int ifindex, uint32_t parent) {
    QdiscPtr q(rtnl_qdisc_alloc(), &rtnl_qdisc_put);
    if (!q) throw SystemError("rtnl_qdisc_alloc", "out of memory");
    rtnl_tc_set_ifindex(TC_CAST(q.get()), ifindex);
    rtnl_tc_set_parent(TC_CAST(q.get()), parent);
    return q;
}

QdiscPtr new_qdisc(int ifindex, uint32_t parent, const char* kind) {
    QdiscPtr q = qdisc_at(ifindex, parent);
    netlink::check(rtnl_tc_set_kind(TC_CAST(q.get()), kind),
                   fmt::format("rtnl_tc_set_kind({})", kind));
    return q;
}

/// netem's probabilities: 0 to 2^32-1 for 0% to 100%, passed as libnl's int.
int probability(double percent) {
    const auto scaled = static_cast<uint32_t>(std::llround(percent / 100.0 * UINT32_MAX));
    return static_cast<int>(scaled);
}

int microseconds(Duration d) {
    return static_cast<int>(std::chrono::duration_cast<std::chrono::microseconds>(d).count());
}

void set_netem(rtnl_qdisc* q, const LinkConditions& c) {
    // A queue long enough for a second of packets at any delay here.
    rtnl_netem_set_limit(q, 10000);
    if (c.delay) rtnl_netem_set_delay(q, microseconds(*c.delay));
    if (c.jitter) rtnl_netem_set_jitter(q, microseconds(*c.jitter));
    if (c.loss) rtnl_netem_set_loss(q, probability(*c.loss));
    if (c.loss_correlation) rtnl_netem_set_loss_correlation(q, probability(*c.loss_correlation));
    if (c.duplicate) rtnl_netem_set_duplicate(q, probability(*c.duplicate));
    if (c.reorder) {
        // As tc does: reordering needs a gap, 1 when none is given.
        rtnl_netem_set_reorder_probability(q, probability(*c.reorder));
        rtnl_netem_set_gap(q, 1);
    }
}

/// tbf at `bits_per_second`: a bucket of 10 ms of traffic (at least two
/// full frames) and a queue of 100 ms more, as access links buffer.
void set_tbf(rtnl_qdisc* q, uint64_t bits_per_second) {
    const uint64_t bytes_per_second = std::max<uint64_t>(bits_per_second / 8, 1);
    const auto rate = static_cast<int>(std::min<uint64_t>(bytes_per_second, INT32_MAX));
    const int bucket = std::max(rate / 100, 3200);
    rtnl_qdisc_tbf_set_rate(q, rate, bucket, 0);
    rtnl_qdisc_tbf_set_limit(q, bucket + std::max(rate / 10, 3200));
}

void add(nl_sock* sock, rtnl_qdisc* q, const std::string& what, const std::string& interface,
         const std::string& where) {
    netlink::check(rtnl_qdisc_add(sock, q, NLM_F_CREATE | NLM_F_REPLACE),
                   fmt::format("rtnl_qdisc_add(dev:'{}' {}) in '{}'", interface, what, where));
}

}  // namespace

void add_link_qdisc(nl_sock* sock, int ifindex, const std::string& interface,
                    const QdiscSpec& qdisc, const std::string& where) {
    const LinkConditions& c = qdisc.conditions;
    if (qdisc.kind == QdiscSpec::Kind::tbf) {
        if (!c.rate) return;
        auto tbf = new_qdisc(ifindex, TC_H_ROOT, "tbf");
        set_tbf(tbf.get(), *c.rate);
        add(sock, tbf.get(), "root tbf rate " + format_rate(*c.rate), interface, where);
        return;
    }
    auto netem = new_qdisc(ifindex, TC_H_ROOT, "netem");
    rtnl_tc_set_handle(TC_CAST(netem.get()), TC_HANDLE(1, 0));
    set_netem(netem.get(), c);
    add(sock, netem.get(), "root netem " + c.describe(), interface, where);
    if (!c.rate) return;
    auto tbf = new_qdisc(ifindex, TC_HANDLE(1, 1), "tbf");
    set_tbf(tbf.get(), *c.rate);
    add(sock, tbf.get(), "parent 1:1 tbf rate " + format_rate(*c.rate), interface, where);
}

void remove_link_qdisc(nl_sock* sock, int ifindex, const std::string& interface,
                       const std::string& where) {
    const QdiscPtr q = qdisc_at(ifindex, TC_H_ROOT);
    const int err = rtnl_qdisc_delete(sock, q.get());
    if (err == -NLE_OBJ_NOTFOUND) return;
    netlink::check(err, fmt::format("rtnl_qdisc_delete(dev:'{}' root) in '{}'", interface, where));
}

}  // namespace testbed
