#pragma once
/// The packet ladder of a captured run: who sent what to whom, on which
/// network, and what each router rewrote on the way. Built from the frames
/// the capture saw (capture.h); pure, so it is unit-tested with handmade
/// frames.

#include <cstdint>
#include <string>
#include <vector>

namespace testbed {

/// One frame as a capture tap saw it.
struct Sighting {
    double ms = 0;              ///< since the capture started
    std::string network;        ///< where it was seen
    std::string sender;         ///< the node that put it on the network
    std::vector<uint8_t> head;  ///< the frame's first bytes, Ethernet header first
    uint32_t length = 0;        ///< the frame's length on the wire
};

/// One arrow of the ladder.
struct LadderRow {
    double ms = 0;
    std::string network;
    std::string from;
    std::string to;           ///< a node, "*" for a broadcast, "?" when unknown
    std::string what;         ///< e.g. "UDP 10.0.1.2:4000 > 203.0.113.10:3478 STUN Binding request"
    std::string translation;  ///< e.g. "nat rewrote the source 10.0.1.2:4000 > 203.0.113.1:4000"
};

struct Ladder {
    std::vector<std::string> nodes;  ///< the columns, in the order given, only those in a row
    std::vector<LadderRow> rows;     ///< in time order
    size_t omitted = 0;              ///< rows past the limit
};

/// Builds the ladder of `sightings` (any order): receivers are found by the
/// destination MAC (learned from what each sender sent), and a frame a node
/// sends on shortly after receiving the same IP packet (same id, length and
/// payload) is marked with the addresses and ports that node rewrote.
/// `nodes` orders the columns; at most `max_rows` rows are kept.
Ladder build_ladder(std::vector<Sighting> sightings, const std::vector<std::string>& nodes,
                    size_t max_rows);

/// A one-line description of a frame (ARP, IPv4 with UDP, TCP flags, ICMP,
/// STUN messages by method and class); "" when it is too short to tell.
std::string describe_frame(const std::vector<uint8_t>& frame);

}  // namespace testbed
