#pragma once
/// Conntrack over ctnetlink (libnl's NETLINK_NETFILTER socket), inside a namespace.

#include <string>

namespace testbed {

/// Deletes every conntrack entry of the namespace behind `ns_fd` (its NAT
/// mappings); `where` names it in errors. An empty table is no error.
void flush_conntrack_in(int ns_fd, const std::string& where);

}  // namespace testbed
