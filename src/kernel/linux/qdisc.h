#pragma once
/// Queueing disciplines over netlink (libnl-route-3), no `tc` process.

#include <string>

#include "plan/link.h"

struct nl_sock;

namespace testbed {

/// Gives the interface a root qdisc with a link's conditions: netem (handle
/// 1:) with a tbf below it (1:1) when a rate is asked too, or tbf alone;
/// replaces what was there. Throws SystemError naming the call.
void add_link_qdisc(nl_sock* sock, int ifindex, const std::string& interface,
                    const QdiscSpec& qdisc, const std::string& where);

/// Removes the interface's root qdisc (and what hangs below it); one that
/// is already gone is no error. Throws SystemError naming the call.
void remove_link_qdisc(nl_sock* sock, int ifindex, const std::string& interface,
                       const std::string& where);

}  // namespace testbed
