#include "check/traffic.h"

#include <fmt/core.h>

#include <algorithm>
#include <unordered_map>

namespace testbed {
namespace {

/// Bytes per compared run: long enough that a match is no accident, short
/// enough for the small messages of signalling and games.
constexpr size_t kWindow = 16;
constexpr uint64_t kBase = 0x100000001b3ULL;

/// The hash of every kWindow-byte run of `p` (a rolling hash), except runs
/// of one repeated byte: padding says nothing of where bytes came from.
std::vector<uint64_t> windows_of(const std::vector<uint8_t>& p) {
    std::vector<uint64_t> out;
    if (p.size() < kWindow) return out;
    uint64_t top = 1;  // kBase^(kWindow-1): what the leaving byte weighs
    for (size_t i = 1; i < kWindow; ++i) top *= kBase;
    uint64_t hash = 0;
    size_t last_change = 0;  // the last index whose byte differs from the one before
    for (size_t i = 0; i < p.size(); ++i) {
        if (i >= kWindow) hash -= top * (p[i - kWindow] + 1U);
        hash = hash * kBase + (p[i] + 1U);
        if (i > 0 && p[i] != p[i - 1]) last_change = i;
        if (i + 1 < kWindow) continue;
        const size_t start = i + 1 - kWindow;
        if (last_change > start) out.push_back(hash);
    }
    return out;
}

/// Packets one host received from another, by (receiver, sender).
using Groups = std::map<std::pair<std::string, std::string>, std::vector<const TaggedPacket*>>;

Groups group(const TrafficSeen& seen) {
    Groups groups;
    for (const auto& p : seen.packets) groups[{p.receiver, p.sender}].push_back(&p);
    return groups;
}

const std::vector<const TaggedPacket*>& packets_of(const Groups& g, const std::string& receiver,
                                                   const std::string& sender) {
    static const std::vector<const TaggedPacket*> none;
    auto it = g.find({receiver, sender});
    return it == g.end() ? none : it->second;
}

/// How many packets `relay` sent to `to` carrying what it received from
/// `from` earlier (traffic.h says when a packet counts).
uint64_t relayed(const Groups& g, const std::string& from, const std::string& relay,
                 const std::string& to) {
    struct Source {
        double ms;
        size_t windows;
    };
    std::vector<Source> sources;
    std::unordered_map<uint64_t, uint32_t> first_source;  // window -> the first packet with it
    for (const TaggedPacket* q : packets_of(g, relay, from)) {
        const auto w = windows_of(q->payload);
        const auto index = static_cast<uint32_t>(sources.size());
        sources.push_back({q->ms, w.size()});
        for (const uint64_t h : w) first_source.emplace(h, index);
    }
    if (sources.empty()) return 0;
    uint64_t count = 0;
    for (const TaggedPacket* p : packets_of(g, to, relay)) {
        const auto w = windows_of(p->payload);
        // Most of it came from `from` (whatever the packets were cut into),
        // or most of one packet from `from` is in it (a small datagram in
        // a relay's larger envelope).
        size_t hits = 0;
        std::unordered_map<uint32_t, size_t> hits_by_source;
        for (const uint64_t h : w) {
            auto it = first_source.find(h);
            if (it == first_source.end() || sources[it->second].ms > p->ms) continue;
            ++hits;
            ++hits_by_source[it->second];
        }
        const bool mostly_relayed = !w.empty() && 2 * hits >= w.size();
        const bool carries_one = std::any_of(
            hits_by_source.begin(), hits_by_source.end(),
            [&](const auto& hit) { return 2 * hit.second >= sources[hit.first].windows; });
        if (mostly_relayed || carries_one) ++count;
    }
    return count;
}

uint64_t count_of(const TrafficSeen& seen, const std::string& receiver, const std::string& sender) {
    auto it = seen.counts.find({receiver, sender});
    return it == seen.counts.end() ? 0 : it->second;
}

}  // namespace

std::optional<TaggedPayload> tagged_payload(const uint8_t* frame, size_t size) {
    constexpr size_t kEthernet = 14;
    if (size < kEthernet + 20 || frame[12] != 0x08 || frame[13] != 0x00) return std::nullopt;
    const uint8_t* ip = frame + kEthernet;
    const size_t ip_size = size - kEthernet;
    const size_t header = static_cast<size_t>(ip[0] & 0x0fU) * 4;
    const int tag = ip[1] >> 2;
    if ((ip[0] >> 4) != 4 || header < 20 || header > ip_size || tag == 0) return std::nullopt;
    // Only a first fragment has the transport header.
    if (((ip[6] & 0x1fU) << 8 | ip[7]) != 0) return std::nullopt;
    const size_t total = std::min<size_t>(ip_size, (size_t{ip[2]} << 8) | ip[3]);
    size_t transport = 0;
    if (ip[9] == 17) {
        transport = 8;
    } else if (ip[9] == 6) {
        if (header + 13 > total) return std::nullopt;
        transport = static_cast<size_t>(ip[header + 12] >> 4U) * 4;
    } else {
        return std::nullopt;
    }
    if (header + transport > total) return std::nullopt;
    const uint8_t* payload = ip + header + transport;
    const size_t n = std::min(total - header - transport, kTrafficPayloadHead);
    return TaggedPayload{tag, {payload, payload + n}};
}

TrafficVerdict judge_traffic(const TrafficCheck& check, const TrafficSeen& seen) {
    TrafficVerdict v;
    const std::string& a = check.a;
    const std::string& b = check.b;
    const auto min = static_cast<uint64_t>(check.min_packets);
    v.direct_ab = count_of(seen, b, a);
    v.direct_ba = count_of(seen, a, b);
    // Every host that sent to both is a candidate relay: the one that
    // carried the most each way is named.
    const Groups groups = group(seen);
    for (const auto& [key, packets] : groups) {
        const auto& [receiver, sender] = key;
        if (receiver != b || sender == a) continue;
        const uint64_t ab = relayed(groups, a, sender, b);
        const uint64_t ba = relayed(groups, b, sender, a);
        if (std::min(ab, ba) > std::min(v.relayed_ab, v.relayed_ba) ||
            (v.relay.empty() && ab + ba > 0)) {
            v.relay = sender;
            v.relayed_ab = ab;
            v.relayed_ba = ba;
        }
    }
    if (v.direct_ab >= min && v.direct_ba >= min)
        v.via = "direct";
    else if (!v.relay.empty() && v.relayed_ab >= min && v.relayed_ba >= min)
        v.via = "relay";
    else
        v.via = "none";
    v.summary =
        fmt::format("direct: {} packets {}→{}, {} {}→{}", v.direct_ab, a, b, v.direct_ba, b, a);
    if (!v.relay.empty()) {
        v.summary += fmt::format("; via {}: {} {}→{}, {} {}→{}", v.relay, v.relayed_ab, a, b,
                                 v.relayed_ba, b, a);
    }
    if (seen.missed > 0) {
        v.summary += fmt::format(
            "; the capture kept no payload of {} packets (lost, or past the first {} of a "
            "pair: relayed counts are at least these)",
            seen.missed, kMaxRelayEvidence);
    }
    return v;
}

namespace {

/// The result's fields that do not depend on what was seen.
CheckResult traffic_result(const TrafficCheck& check) {
    CheckResult r;
    r.process = "traffic";
    r.what = fmt::format("{} ↔ {}", check.a, check.b);
    r.expected = check.via == "none"
                     ? std::string("none")
                     : fmt::format("{} (at least {} packet{} each way)", check.via,
                                   check.min_packets, check.min_packets == 1 ? "" : "s");
    return r;
}

}  // namespace

CheckResult check_traffic(const TrafficCheck& check, const TrafficSeen& seen) {
    const TrafficVerdict v = judge_traffic(check, seen);
    CheckResult r = traffic_result(check);
    r.actual =
        fmt::format("{}{} ({})", v.via, v.via == "relay" ? " via " + v.relay : "", v.summary);
    r.passed = v.via == check.via;
    return r;
}

CheckResult traffic_not_measured(const TrafficCheck& check, const std::string& why) {
    CheckResult r = traffic_result(check);
    r.actual = "not measured: " + why;
    r.passed = false;
    return r;
}

}  // namespace testbed
