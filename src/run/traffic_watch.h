#pragma once
/// The capture behind `traffic:` relay evidence: a tap on every interface
/// of every host, in the host's namespace, keeping the head of each tagged
/// UDP or TCP payload that arrives (plan/traffic.h tags them; a BPF filter
/// in the kernel drops what no check needs). Bounded: past its limit it
/// counts what it did not keep, and it reports what the kernel dropped.
/// The counts the verdicts rest on come from nftables counters, not from here.

#include <memory>
#include <string>
#include <vector>

#include "check/traffic.h"
#include "model/topology.h"
#include "plan/plan.h"

namespace testbed {

class TrafficWatch {
  public:
    /// Opens the taps (namespace i of `plan` behind `netns_fds[i]`) and
    /// starts reading on a thread of its own. Throws Error naming the
    /// libpcap call, the interface and the host.
    TrafficWatch(const Topology& topo, const NetworkPlan& plan, const std::vector<int>& netns_fds);
    ~TrafficWatch();
    TrafficWatch(const TrafficWatch&) = delete;
    TrafficWatch& operator=(const TrafficWatch&) = delete;

    /// Reads what is still queued and hands over the packets and how many
    /// were missed (counts stay empty: the counters fill them). Once.
    TrafficSeen stop();

  private:
    struct State;
    std::unique_ptr<State> state_;
};

/// The BPF filter of a host's taps: every tagged packet where the host is
/// counted, else only those from the hosts that are; "" where no check
/// needs a tap. Pure.
std::string traffic_filter(const Topology& topo, const std::string& host);

}  // namespace testbed
