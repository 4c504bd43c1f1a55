#pragma once
/// The real Kernel, composed of one file per concern: namespaces held by
/// descriptor (netns.h), links, addresses and routes over netlink
/// (links.cc, libnl-route-3), rules through libnftables (nftables.h),
/// conntrack over ctnetlink (conntrack.h), sysctls through /proc/sys read
/// inside the namespace (sysctl.h), qdiscs (qdisc.h). No `ip`, `tc` or `nft`
/// process.

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "base/fd.h"
#include "kernel/kernel.h"

struct nl_sock;

namespace testbed {

class LinuxKernel : public Kernel {
  public:
    LinuxKernel();
    ~LinuxKernel() override;

    int create_namespace(const std::string& name, const std::vector<Sysctl>& sysctls) override;
    void set_sysctl(int ns, const std::string& key, const std::string& value) override;
    std::string read_sysctl(int ns, const std::string& key) override;
    void add_veth(int ns_a, const std::string& name_a, int ns_b,
                  const std::string& name_b) override;
    void add_bridge(int ns, const std::string& name) override;
    void enslave(int ns, const std::string& port, const std::string& bridge) override;
    void add_address(int ns, const std::string& interface, Ipv4 address, int prefix) override;
    void remove_address(int ns, const std::string& interface, Ipv4 address, int prefix) override;
    void set_link_up(int ns, const std::string& interface) override;
    void set_link_down(int ns, const std::string& interface) override;
    LinkAbilities link_abilities() override;
    void set_mtu(int ns, const std::string& interface, int mtu) override;
    void set_link_qdisc(int ns, const std::string& interface, const QdiscSpec& qdisc) override;
    void clear_link_qdisc(int ns, const std::string& interface) override;
    void flush_conntrack(int ns) override;
    void add_route(int ns, const RoutePlan& route) override;
    void replace_route(int ns, const RoutePlan& route) override;
    void remove_route(int ns, const RoutePlan& route) override;
    void apply_ruleset(int ns, const std::string& ruleset) override;
    std::map<std::string, uint64_t> read_counters(int ns, const std::string& table) override;
    void check_ruleset(int ns, const std::string& ruleset) override;
    /// Closes the netlink sockets opened while building (the namespaces stay).
    void finish_build() override;
    void destroy_namespace(int ns) override;
    int netns_fd(int ns) const override;
    void name_namespace(int ns, const std::string& handle) override;
    void unname_namespace(const std::string& handle) override;

  private:
    struct Namespace;  ///< linux_namespace.h, for this class's own files
    /// The live namespace with this id; throws Error for a destroyed one.
    Namespace& get(int ns);
    const Namespace& get(int ns) const;
    nl_sock* socket(int ns);
    int ifindex(int ns, const std::string& interface);
    void set_link_state(int ns, const std::string& interface, bool up);

    /// Netlink sockets kept open at once while building.
    static constexpr size_t kMaxOpenSockets = 64;

    std::vector<std::unique_ptr<Namespace>> namespaces_;
    size_t open_sockets_ = 0;
};

}  // namespace testbed
