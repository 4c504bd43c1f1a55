#pragma once
/// The real Kernel: network namespaces by descriptor, links, addresses and
/// routes over netlink (libnl-route-3), rules through libnftables, sysctls
/// through /proc/sys read inside the namespace. No `ip` or `nft` process.

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/fd.h"
#include "core/kernel.h"

struct nl_sock;

namespace testbed {

class LinuxKernel : public Kernel {
  public:
    LinuxKernel();
    ~LinuxKernel() override;

    int create_namespace(const std::string& name, const std::vector<Sysctl>& sysctls) override;
    void set_sysctl(int ns, const std::string& key, const std::string& value) override;
    void add_veth(int ns_a, const std::string& name_a, int ns_b,
                  const std::string& name_b) override;
    void add_bridge(int ns, const std::string& name) override;
    void enslave(int ns, const std::string& port, const std::string& bridge) override;
    void add_address(int ns, const std::string& interface, Ipv4 address, int prefix) override;
    void set_link_up(int ns, const std::string& interface) override;
    void set_link_down(int ns, const std::string& interface) override;
    void flush_conntrack(int ns) override;
    void add_route(int ns, const RoutePlan& route) override;
    void apply_ruleset(int ns, const std::string& ruleset) override;
    void destroy_namespace(int ns) override;

    /// Adds a root qdisc ("tbf" at 10 Mbit/s or "netem" with 1 ms of delay)
    /// on the interface; throws SystemError with the kernel's error. Used by
    /// `testbed doctor` to probe the qdiscs link impairments would need.
    void add_qdisc(int ns, const std::string& interface, const std::string& kind);

    /// The descriptor of a namespace, for starting processes in it.
    int fd(int ns) const;
    /// Closes the netlink sockets opened while building (the namespaces stay).
    void close_sockets();

  private:
    struct Namespace;
    Namespace& get(int ns);
    nl_sock* socket(int ns);
    int ifindex(int ns, const std::string& interface);
    void set_link_state(int ns, const std::string& interface, bool up);

    std::vector<std::unique_ptr<Namespace>> namespaces_;
};

/// Runs an nftables command buffer inside the namespace behind `ns_fd` and
/// returns libnftables' output; throws SystemError with its error text.
std::string run_nft(int ns_fd, const std::string& commands);

/// Has the kernel check `commands` inside the namespace without applying
/// them (libnftables' dry run); throws SystemError with nftables' message.
void run_nft_check(int ns_fd, const std::string& commands);

}  // namespace testbed
