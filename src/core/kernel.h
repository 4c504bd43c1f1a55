#pragma once
/// The side effects of building a network, behind one small interface so the
/// realizer's logic is unit-tested with a fake (tests/unit/fake_kernel.h) and
/// run for real by LinuxKernel (linux_kernel.h).

#include <string>
#include <utility>
#include <vector>

#include "core/ipv4.h"
#include "core/plan.h"

namespace testbed {

class Kernel {
  public:
    virtual ~Kernel() = default;

    /// A sysctl such as {"net/ipv4/ip_forward", "1"}.
    using Sysctl = std::pair<std::string, std::string>;

    /// Creates a namespace with these sysctls set in it; the returned id
    /// names it in every later call.
    virtual int create_namespace(const std::string& name, const std::vector<Sysctl>& sysctls) = 0;
    /// Writes a sysctl (e.g. "net/ipv4/ip_forward") inside the namespace.
    virtual void set_sysctl(int ns, const std::string& key, const std::string& value) = 0;
    /// Creates a veth pair with one end in each namespace.
    virtual void add_veth(int ns_a, const std::string& name_a, int ns_b,
                          const std::string& name_b) = 0;
    virtual void add_bridge(int ns, const std::string& name) = 0;
    virtual void enslave(int ns, const std::string& port, const std::string& bridge) = 0;
    virtual void add_address(int ns, const std::string& interface, Ipv4 address, int prefix) = 0;
    virtual void set_link_up(int ns, const std::string& interface) = 0;
    virtual void set_link_down(int ns, const std::string& interface) = 0;
    /// Deletes every conntrack entry of the namespace (its NAT mappings).
    virtual void flush_conntrack(int ns) = 0;
    virtual void add_route(int ns, const RoutePlan& route) = 0;
    /// Loads an nftables ruleset (text) into the namespace.
    virtual void apply_ruleset(int ns, const std::string& ruleset) = 0;
    /// Releases the namespace; the kernel removes what was in it.
    virtual void destroy_namespace(int ns) = 0;
};

}  // namespace testbed
