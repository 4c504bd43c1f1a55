#pragma once
/// The topology of a running scenario as its steps change it: a copy of
/// the file's topology and of its plan, planned anew at each change, and
/// only what differs handed to the kernel (link conditions through
/// plan/link.h's link_update, addresses, routes). Routers' rulesets stay
/// with the caller, which reads them from plan().

#include <functional>
#include <set>
#include <string>

#include "kernel/kernel.h"
#include "model/topology.h"
#include "plan/link.h"
#include "plan/plan.h"

namespace testbed {

class LiveTopology {
  public:
    /// `plan` is what was built from `topo`; `ns_id` maps its namespace
    /// indices to the kernel's ids.
    LiveTopology(const Topology& topo, const NetworkPlan& plan, Kernel& kernel,
                 std::function<int(size_t)> ns_id);

    /// The topology as the steps so far made it, and its plan (routers'
    /// rulesets included, which the kernel gets from the caller).
    const Topology& topology() const { return topo_; }
    const NetworkPlan& plan() const { return plan_; }

    /// Gives a network (`node` empty) or one node's attachment to it the
    /// conditions of `next`, replacing what it had; returns what it had,
    /// for a change that lasts a while. Throws Error for what this kernel
    /// cannot give (preflight made such a scenario a SKIP before).
    LinkSpec set_link(const std::string& network, const std::string& node, const LinkSpec& next);

    /// Gives `node` the address `to` in place of its first one on
    /// `network` (the old one goes, then the new one comes, as a DHCP
    /// client does), and every route the change touches anew; returns the
    /// old address.
    Ipv4 renumber(const std::string& node, const std::string& network, Ipv4 to);

    /// Takes a host off the network its default route goes through (the
    /// link goes down) onto `to` (the link comes up, the default route
    /// goes through its router); returns the network it left.
    std::string move(const std::string& host, const std::string& to);

    /// A router's NAT as `set-nat` made it: later plans keep it, and the
    /// routes into its lans follow whether it translates.
    void set_nat(const std::string& router, const NatSpec& nat);

  private:
    /// `after` becomes the plan: routes it lacks go, routes it adds come;
    /// in the namespaces of `renewed` every route is set again (the kernel
    /// dropped those through a link that lost its address or went down).
    void adopt(NetworkPlan after, const std::set<size_t>& renewed);
    /// The namespace of a host or router and its interface on `network`.
    std::pair<size_t, const InterfacePlan*> interface_of(const std::string& node,
                                                         const std::string& network) const;

    Topology topo_;
    NetworkPlan plan_;
    Kernel& kernel_;
    std::function<int(size_t)> ns_id_;
};

}  // namespace testbed
