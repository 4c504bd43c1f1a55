#pragma once
/// `run --capture`: a pcap file per network (NETWORK.pcap in the run's log
/// folder, Wireshark-ready), written while the scenario runs, and the frames
/// for its packet ladder (ladder.h). Packet sockets through libpcap, opened
/// inside the namespaces of the run; nothing on the machine's own network.

#include <memory>
#include <string>
#include <vector>

#include "check/ladder.h"
#include "plan/plan.h"

namespace testbed {

/// Where to listen to one network, and whose frames that place sees.
struct TapPlan {
    std::string network;
    size_t ns = 0;          ///< index into NetworkPlan::namespaces
    std::string interface;  ///< inside that namespace
    bool inbound = true;    ///< the frames arriving on `interface` (else those leaving it)
    std::string sender;     ///< the node that sent them
};

/// The taps that see every frame of every network exactly once: on a
/// bridged network the arriving side of each bridge port (what its member
/// sent); on a two-member network both directions of the first member's
/// interface. Pure.
std::vector<TapPlan> plan_taps(const NetworkPlan& plan);

class Capture {
  public:
    /// Opens a tap (inside its namespace) per TapPlan, with `netns_fds[i]`
    /// the descriptor of namespace i of the plan, and starts writing
    /// DIR/NETWORK.pcap on a thread of its own. Throws Error naming the
    /// libpcap call, the interface, the namespace and libpcap's message.
    Capture(const std::vector<TapPlan>& taps, const std::vector<int>& netns_fds,
            const std::string& dir);
    ~Capture();
    Capture(const Capture&) = delete;
    Capture& operator=(const Capture&) = delete;

    /// Reads what is still queued, closes the files and returns the first
    /// frames seen (for the ladder). Safe to call twice.
    std::vector<Sighting> stop();
    /// The pcap files, one per network.
    const std::vector<std::string>& files() const { return files_; }

  private:
    struct State;
    std::unique_ptr<State> state_;
    std::vector<std::string> files_;
};

}  // namespace testbed
