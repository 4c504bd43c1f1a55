#pragma once
/// `traffic:` verdicts: did two hosts exchange packets directly, only
/// through a third host, or not at all. Every host's packets carry its
/// number in DSCP (plan/traffic.h), so what a host receives says who sent
/// it: exact counts come from nftables counters, and the heads of the
/// payloads a capture saw tell a relay (the same bytes leave the third host
/// that came in from the other one) from a server that only introduced the
/// two. Pure: the run hands over what it saw.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "check/expect.h"
#include "model/topology.h"

namespace testbed {

/// How much of each payload is kept for relay evidence.
inline constexpr size_t kTrafficPayloadHead = 256;

/// A packet one host received from another, as a capture tap saw it.
struct TaggedPacket {
    double ms = 0;  ///< since the capture started
    std::string receiver;
    std::string sender;
    std::vector<uint8_t> payload;  ///< the head of its UDP or TCP payload
};

/// What a run saw of the traffic between its hosts.
struct TrafficSeen {
    /// Exact, from the counters: (receiver, sender) -> packets.
    std::map<std::pair<std::string, std::string>, uint64_t> counts;
    std::vector<TaggedPacket> packets;  ///< in the order seen
    uint64_t missed = 0;                ///< packets the capture lost or did not keep
};

/// The tag and payload head of an Ethernet frame carrying IPv4 with UDP or
/// TCP and a non-zero DSCP; nullopt for anything else.
struct TaggedPayload {
    int tag = 0;
    std::vector<uint8_t> payload;
};
std::optional<TaggedPayload> tagged_payload(const uint8_t* frame, size_t size);

/// How `a` and `b` exchanged packets.
struct TrafficVerdict {
    std::string via;    ///< "direct", "relay" or "none"
    std::string relay;  ///< the host that relayed the most, when via is "relay"
    uint64_t direct_ab = 0;
    uint64_t direct_ba = 0;
    uint64_t relayed_ab = 0;  ///< through `relay`
    uint64_t relayed_ba = 0;
    std::string summary;  ///< e.g. "direct: 412 packets alice→bob, 398 bob→alice; via server: 6"
};

/// direct: at least `min_packets` each way straight from one to the other;
/// else relay through X: at least `min_packets` each way that X sent after
/// it received them from the other host (a packet counts when at least
/// half of its 16-byte runs came earlier from the other host, or it holds
/// at least half of one packet X received from the other host); else none.
TrafficVerdict judge_traffic(const TrafficCheck& check, const TrafficSeen& seen);

/// The check's result for the report.
CheckResult check_traffic(const TrafficCheck& check, const TrafficSeen& seen);

/// A failed result saying why the traffic could not be measured (the
/// network was not built, the counters could not be read): never a verdict
/// from no data, which would pass `via: none`.
CheckResult traffic_not_measured(const TrafficCheck& check, const std::string& why);

}  // namespace testbed
