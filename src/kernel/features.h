#pragma once
/// The kernel features the testbed uses and the kernel options behind them,
/// named in one place: the errors of a failed kernel call, the feature check
/// before a run and `testbed doctor` all quote this table. Pure.

#include <string>
#include <utility>
#include <vector>

namespace testbed {

/// A kernel feature and the config options it needs.
struct KernelFeature {
    const char* name;
    const char* options;
};

namespace feature {
inline constexpr KernelFeature kNetns{"network namespaces", "CONFIG_NET_NS"};
inline constexpr KernelFeature kVeth{"veth pairs", "CONFIG_VETH"};
inline constexpr KernelFeature kBridge{"bridges", "CONFIG_BRIDGE"};
inline constexpr KernelFeature kPidns{"PID namespaces", "CONFIG_PID_NS"};
inline constexpr KernelFeature kCtnetlink{"conntrack flush over netlink",
                                          "CONFIG_NF_CONNTRACK_NETLINK"};
inline constexpr KernelFeature kConntrack{"conntrack timeouts per namespace",
                                          "CONFIG_NF_CONNTRACK"};
inline constexpr KernelFeature kPacket{"packet sockets", "CONFIG_PACKET"};
inline constexpr KernelFeature kTbf{"tbf qdisc (rate limits)", "CONFIG_NET_SCH_TBF"};
inline constexpr KernelFeature kNetem{"netem qdisc (delay, jitter, reordering)",
                                      "CONFIG_NET_SCH_NETEM"};
inline constexpr KernelFeature kNftIngress{
    "nftables on a device's ingress (loss, duplication)",
    "CONFIG_NF_TABLES_NETDEV, CONFIG_NFT_NUMGEN, CONFIG_NFT_DUP_NETDEV"};
inline constexpr KernelFeature kNftEgress{"nftables on a device's egress (traffic: counters)",
                                          "CONFIG_NETFILTER_EGRESS, CONFIG_NF_TABLES_NETDEV"};
}  // namespace feature

/// The nftables features a ruleset text uses, each with the kernel options
/// behind it, e.g. {"numgen (sequential ports)", "CONFIG_NFT_NUMGEN"}.
std::vector<std::pair<std::string, std::string>> ruleset_features(const std::string& ruleset);

/// Every kernel option some NAT or firewall ruleset may need, comma-separated.
std::string nat_kernel_options();

}  // namespace testbed
