#pragma once
/// How a link's conditions (model/link.h) reach this kernel: nftables
/// rules on the receiving end's ingress for loss and duplication into a
/// bridge (on every kernel that has them, so a file means the same
/// everywhere), and a qdisc on the sending end of a veth for the rest
/// (netem; tbf for a rate alone without it). What neither can give is
/// named, so the scenario is a SKIP with the reason and never runs without
/// it. Also what a `link` step's change asks of the kernel. Pure: the
/// kernel's abilities are passed in.

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "model/link.h"
#include "plan/plan.h"

namespace testbed {

/// What the kernel offers for link conditions (kernel/features.h probes it).
struct LinkAbilities {
    bool netem = false;  ///< sch_netem: delay, jitter, correlated loss, duplication, reordering
    bool tbf = false;    ///< sch_tbf: a rate
    /// nftables on a netdev ingress hook with numgen and dup: loss, and
    /// duplication into a bridge, on every kernel the same way.
    bool nft_ingress = false;
    /// nftables on a netdev egress hook (Linux 5.16): where `traffic:`
    /// checks count what reaches a host (plan/traffic.h).
    bool nft_egress = false;
};

/// A root qdisc on the sending end of a link.
struct QdiscSpec {
    enum class Kind { netem, tbf };
    Kind kind = Kind::tbf;
    LinkConditions conditions;  ///< what it gives (tbf: the rate only)
    bool operator==(const QdiscSpec&) const = default;
};

/// One direction of one link on this kernel.
struct LinkShaping {
    std::optional<QdiscSpec> qdisc;  ///< on the sending end's egress
    /// nftables statements for a netdev ingress chain on the receiving end.
    std::vector<std::string> ingress;
    /// What this kernel cannot give, e.g. "delay 20ms needs sch_netem
    /// (CONFIG_NET_SCH_NETEM)".
    std::vector<std::string> missing;
};

/// Random draws for loss and duplication are out of this many.
inline constexpr int kChanceScale = 10000;

/// Shapes `c` given `abilities`. `duplicate_into` is the device a
/// duplicate can be sent out of to reach the receiver (the bridge the
/// sending end's peer is a port of); empty where nftables cannot
/// duplicate (what a node receives: nothing lies beyond its own interface).
LinkShaping shape_direction(const LinkConditions& c, const LinkAbilities& abilities,
                            const std::string& duplicate_into);

/// Every condition of the plan this kernel cannot give, each naming the
/// link ("network 'home', what alice sends: delay 20ms needs sch_netem
/// (CONFIG_NET_SCH_NETEM)"): a scenario with any is a SKIP.
std::vector<std::string> missing_link_conditions(const NetworkPlan& plan,
                                                 const LinkAbilities& abilities);

/// The nftables table (family netdev, one ingress chain per receiving
/// interface) each namespace needs for the plan's conditions on this
/// kernel, by namespace index; namespaces that need none are absent.
std::map<size_t, std::string> link_ingress_tables(const NetworkPlan& plan,
                                                  const LinkAbilities& abilities);

/// What the kernel must do to go from `before` to `after`: two plans of one
/// running topology that differ only in link conditions and MTUs (a `link`
/// step). Only what differs is touched.
struct LinkUpdate {
    std::vector<LinkEnd> cleared;  ///< sending ends losing their qdisc
    std::vector<std::pair<LinkEnd, QdiscSpec>>
        qdiscs;  ///< sending ends getting one (after clearing)
    std::vector<std::pair<size_t, std::string>> tables;  ///< namespace, nftables commands
    std::vector<MtuPlan> mtus;
};
LinkUpdate link_update(const NetworkPlan& before, const NetworkPlan& after,
                       const LinkAbilities& abilities);

/// The MTU a veth has when nothing sets one.
inline constexpr int kDefaultMtu = 1500;

/// A table with the statements loss and duplication use, on `device`: what
/// `doctor` and Kernel::link_abilities load to see that this kernel takes them.
std::string link_ingress_probe(const std::string& device);
/// The qdisc they set to see whether this kernel has netem (1 ms of delay)
/// or tbf (1 Mbit/s).
QdiscSpec link_qdisc_probe(QdiscSpec::Kind kind);

/// The table's name: apart from the NAT's, so replacing those leaves it.
inline constexpr const char* kLinkTableName = "testbed_link";

}  // namespace testbed
