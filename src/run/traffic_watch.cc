#include "run/traffic_watch.h"

#include <fmt/core.h>
#include <fmt/ranges.h>
#include <sys/time.h>

#include <map>

#include "plan/traffic.h"
#include "run/pcap_tap.h"

namespace testbed {
namespace {

/// Payloads kept per run, and per (receiver, sender) pair: the first
/// packets of every pair are evidence enough (validation bounds a relay's
/// min-packets by kMaxRelayEvidence), and the judging's memory and time
/// then stay bounded whatever a program sends (a 190,000-datagram burst
/// once took 1.9 GB and 70 s to judge).
constexpr size_t kMaxPackets = 50'000;
constexpr size_t kMaxPacketsPerPair = kMaxRelayEvidence;
/// Ethernet, IPv4 and TCP headers with options, then the payload head.
constexpr int kSnaplen = 14 + 60 + 60 + static_cast<int>(kTrafficPayloadHead);
/// Room in the kernel for bursts while the thread catches up.
constexpr int kBufferBytes = 8 << 20;

}  // namespace

std::string traffic_filter(const Topology& topo, const std::string& host) {
    if (traffic_counted(topo, host)) return "ip and (ip[1] & 0xfc) != 0";
    std::vector<std::string> tags;
    for (const auto& h : topo.hosts) {
        if (h.name != host && traffic_counted(topo, h.name))
            tags.push_back(fmt::format("(ip[1] & 0xfc) = {}", traffic_tag(topo, h.name) << 2));
    }
    if (tags.empty()) return "";
    return fmt::format("ip and ({})", fmt::join(tags, " or "));
}

struct TrafficWatch::State {
    const Topology* topo = nullptr;
    TapReader reader;
    std::vector<TaggedPacket> packets;  ///< written by the reader's thread until stop
    std::map<std::pair<std::string, std::string>, size_t> kept_of_pair;
    uint64_t not_kept = 0;
    timeval start{};
    bool stopped = false;

    void on_frame(const std::string& host, const pcap_pkthdr& h, const u_char* bytes) {
        auto tagged = tagged_payload(bytes, h.caplen);
        const Host* sender = tagged ? traffic_host(*topo, tagged->tag) : nullptr;
        if (!sender) return;
        size_t& kept = kept_of_pair[{host, sender->name}];
        if (packets.size() >= kMaxPackets || kept >= kMaxPacketsPerPair) {
            ++not_kept;
            return;
        }
        ++kept;
        const double ms = static_cast<double>(h.ts.tv_sec - start.tv_sec) * 1e3 +
                          static_cast<double>(h.ts.tv_usec - start.tv_usec) / 1e3;
        packets.push_back({ms, host, sender->name, std::move(tagged->payload)});
    }
};

TrafficWatch::TrafficWatch(const Topology& topo, const NetworkPlan& plan,
                           const std::vector<int>& netns_fds)
    : state_(std::make_unique<State>()) {
    State& s = *state_;
    s.topo = &topo;
    for (size_t i = 0; i < plan.namespaces.size(); ++i) {
        const NamespacePlan& ns = plan.namespaces[i];
        if (ns.kind != NamespacePlan::Kind::host) continue;
        const std::string filter = traffic_filter(topo, ns.name);
        if (filter.empty()) continue;
        for (const auto& interface : ns.interfaces) {
            TapOptions options;
            options.interface = interface.name;
            options.netns_fd = netns_fds.at(i);
            options.filter = filter;
            options.snaplen = kSnaplen;
            options.buffer_bytes = kBufferBytes;
            options.where =
                fmt::format("interface {} of host {}, arriving frames", interface.name, ns.name);
            s.reader.add(open_tap(options),
                         [&s, host = ns.name](const pcap_pkthdr& h, const u_char* bytes) {
                             s.on_frame(host, h, bytes);
                         });
        }
    }
    ::gettimeofday(&s.start, nullptr);
    s.reader.start();
}

TrafficWatch::~TrafficWatch() {
    stop();
}

TrafficSeen TrafficWatch::stop() {
    State& s = *state_;
    TrafficSeen seen;
    if (s.stopped) return seen;
    s.stopped = true;
    s.reader.stop();
    seen.missed = s.not_kept;
    for (const unsigned dropped : s.reader.drops()) seen.missed += dropped;
    seen.packets = std::move(s.packets);
    return seen;
}

}  // namespace testbed
