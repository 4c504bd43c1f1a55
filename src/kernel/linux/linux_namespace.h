#pragma once
/// LinuxKernel's record of one namespace, shared by the class's own files
/// (linux_kernel.cc, links.cc) and nothing else: it holds libnl objects.

#include <map>
#include <string>

#include "base/fd.h"
#include "kernel/linux/linux_kernel.h"
#include "kernel/linux/netlink.h"

namespace testbed {

/// One namespace: its descriptor, and the netlink socket and interface
/// indexes cached while building.
struct LinuxKernel::Namespace {
    std::string name;
    Fd fd;
    netlink::SockPtr sock;
    std::map<std::string, int> ifindex;
};

}  // namespace testbed
