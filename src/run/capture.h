#pragma once
/// `run --capture`: a pcap file per network (NETWORK.pcap in the run's log
/// folder, Wireshark-ready), written while the scenario runs, and the frames
/// for its packet ladder (ladder.h). Packet sockets through libpcap, opened
/// inside the namespaces of the run; nothing on the machine's own network.

#include <memory>
#include <string>
#include <vector>

#include "base/safe_file.h"
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
    /// DIR/NETWORK.pcap on a thread of its own (through `dir`'s
    /// descriptor), each file at most `limit` bytes: frames past it are
    /// counted, not written. Throws Error naming the libpcap call, the
    /// interface, the namespace and libpcap's message.
    Capture(const std::vector<TapPlan>& taps, const std::vector<int>& netns_fds,
            const HeldFolder& dir, size_t limit);
    ~Capture();
    Capture(const Capture&) = delete;
    Capture& operator=(const Capture&) = delete;

    /// Reads what is still queued, closes the files and returns the first
    /// frames seen (for the ladder). Safe to call twice.
    std::vector<Sighting> stop();
    /// What stop() found worth saying: frames the kernel dropped, files cut
    /// at their limit (with how many frames were not written).
    const std::vector<std::string>& notes() const { return notes_; }
    /// The pcap files, one per network, by the folder's shown path.
    const std::vector<std::string>& files() const { return files_; }

  private:
    struct State;
    std::unique_ptr<State> state_;
    std::vector<std::string> files_;
    std::vector<std::string> notes_;
};

}  // namespace testbed
