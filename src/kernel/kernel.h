#pragma once
/// The side effects of building and changing a network, behind one small
/// interface: the realizer, the run-time steps, the kernel feature check and
/// `testbed up` take a Kernel&, so their logic is unit-tested with a fake
/// (tests/unit/support/fake_kernel.h); LinuxKernel (linux/linux_kernel.h)
/// makes the calls for real.

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "base/ipv4.h"
#include "plan/link.h"
#include "plan/plan.h"

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
    /// Reads a sysctl inside the namespace, without the trailing newline.
    virtual std::string read_sysctl(int ns, const std::string& key) = 0;
    /// Creates a veth pair with one end in each namespace.
    virtual void add_veth(int ns_a, const std::string& name_a, int ns_b,
                          const std::string& name_b) = 0;
    virtual void add_bridge(int ns, const std::string& name) = 0;
    virtual void enslave(int ns, const std::string& port, const std::string& bridge) = 0;
    virtual void add_address(int ns, const std::string& interface, Ipv4 address, int prefix) = 0;
    /// Takes an address off the interface (with it, when it was the last,
    /// the routes through the interface).
    virtual void remove_address(int ns, const std::string& interface, Ipv4 address, int prefix) = 0;
    virtual void set_link_up(int ns, const std::string& interface) = 0;
    virtual void set_link_down(int ns, const std::string& interface) = 0;
    /// What this kernel offers for link conditions (netem, tbf), probed
    /// once in a namespace of its own.
    virtual LinkAbilities link_abilities() = 0;
    /// Sets the interface's MTU.
    virtual void set_mtu(int ns, const std::string& interface, int mtu) = 0;
    /// Gives the interface a root qdisc with a link's conditions (netem,
    /// with a tbf below it for a rate; or tbf alone), replacing any.
    virtual void set_link_qdisc(int ns, const std::string& interface, const QdiscSpec& qdisc) = 0;
    /// Removes what set_link_qdisc gave the interface.
    virtual void clear_link_qdisc(int ns, const std::string& interface) = 0;
    /// Deletes every conntrack entry of the namespace (its NAT mappings).
    virtual void flush_conntrack(int ns) = 0;
    virtual void add_route(int ns, const RoutePlan& route) = 0;
    /// Adds the route, or replaces the one to the same destination.
    virtual void replace_route(int ns, const RoutePlan& route) = 0;
    /// Removes the route; one the kernel dropped already is no error.
    virtual void remove_route(int ns, const RoutePlan& route) = 0;
    /// Loads an nftables ruleset (text) into the namespace.
    virtual void apply_ruleset(int ns, const std::string& ruleset) = 0;
    /// Has the kernel check a ruleset in the namespace without applying it
    /// (a dry run); throws SystemError with nftables' message.
    virtual void check_ruleset(int ns, const std::string& ruleset) = 0;
    /// The packets each named counter of an nftables table ("FAMILY NAME")
    /// in the namespace has counted, by counter name.
    virtual std::map<std::string, uint64_t> read_counters(int ns, const std::string& table) = 0;
    /// Building is over: resources only building needs (netlink sockets) may go.
    virtual void finish_build() {}
    /// Releases the namespace; the kernel removes what was in it.
    virtual void destroy_namespace(int ns) = 0;

    /// The namespace's descriptor, for starting processes and taps in it
    /// (-1 where there is none, as in a fake).
    virtual int netns_fd(int ns) const = 0;
    /// Gives the namespace a named handle that outlives this process
    /// (`testbed up`), and takes one away (a missing one is no error).
    virtual void name_namespace(int ns, const std::string& handle) = 0;
    virtual void unname_namespace(const std::string& handle) = 0;
};

}  // namespace testbed
