#include "run/capture.h"

#include <fmt/core.h>
#include <pcap/pcap.h>
#include <sys/time.h>

#include <map>

#include "base/bytes.h"
#include "base/error.h"
#include "base/fd.h"
#include "base/safe_file.h"
#include "run/pcap_tap.h"

namespace testbed {

std::vector<TapPlan> plan_taps(const NetworkPlan& plan) {
    std::vector<TapPlan> taps;
    for (const auto& link : plan.links) {
        const std::string& a = plan.namespaces[link.a.ns].name;
        if (link.trunk()) continue;  // between two bridges of one network: seen at the members
        if (!link.b.bridge.empty()) {
            // The bridge side of the member's veth: what arrives there, the member sent.
            taps.push_back({link.network, link.b.ns, link.b.interface, true, a});
        } else {
            const std::string& b = plan.namespaces[link.b.ns].name;
            taps.push_back({link.network, link.a.ns, link.a.interface, false, a});
            taps.push_back({link.network, link.a.ns, link.a.interface, true, b});
        }
    }
    return taps;
}

namespace {

/// The frames kept for the ladder, and how much of each.
constexpr size_t kMaxSightings = 5000;
constexpr size_t kSightingBytes = 192;
/// How much of each frame the pcap keeps: a whole frame of a standard MTU
/// and then some (a larger one, from GRO or a jumbo MTU, is cut there with
/// its true length recorded). libpcap's immediate mode gives each frame a
/// slot of this size in the kernel's ring, so a 64 KiB snap length left a
/// 2 MiB buffer room for 32 frames and a burst lost most of them.
constexpr int kCaptureSnaplen = 4096;
/// The kernel's ring per tap: room for about 2,000 frames of any size.
constexpr int kCaptureBuffer = 8 << 20;

struct DumperCloser {
    void operator()(pcap_dumper_t* d) const { pcap_dump_close(d); }
};
using DumperPtr = std::unique_ptr<pcap_dumper_t, DumperCloser>;

}  // namespace

struct Capture::State {
    struct Tap {
        pcap_dumper_t* dumper = nullptr;  ///< owned by `dumpers`
        std::string network, sender, where;
    };
    TapReader reader;                          ///< stopped before the dumpers close
    std::vector<Tap> taps;                     ///< in the order added to the reader
    std::map<std::string, DumperPtr> dumpers;  ///< by network
    /// Per network: bytes written, frames not written past the limit.
    std::map<std::string, std::pair<size_t, uint64_t>> written;
    size_t limit = 0;
    std::vector<Sighting> sightings;  ///< written by the reader's thread until stop
    timeval start{};
    bool stopped = false;

    void on_frame(const Tap& tap, const pcap_pkthdr& h, const u_char* bytes) {
        auto& [size, cut] = written[tap.network];
        // A record is its 16-byte header and the bytes kept.
        const size_t record = 16 + h.caplen;
        if (size + record > limit) {
            ++cut;
        } else {
            size += record;
            pcap_dump(reinterpret_cast<u_char*>(tap.dumper), &h, bytes);
        }
        if (sightings.size() >= kMaxSightings) return;
        const double ms = static_cast<double>(h.ts.tv_sec - start.tv_sec) * 1e3 +
                          static_cast<double>(h.ts.tv_usec - start.tv_usec) / 1e3;
        const size_t n = std::min<size_t>(h.caplen, kSightingBytes);
        sightings.push_back({ms, tap.network, tap.sender, {bytes, bytes + n}, h.len});
    }

    /// The pcap file of `network`, made at its first tap.
    pcap_dumper_t* dumper_for(const std::string& network, pcap_t* handle, const HeldFolder& dir,
                              std::vector<std::string>& files) {
        auto it = dumpers.find(network);
        if (it != dumpers.end()) return it->second.get();
        const std::string path = fmt::format("{}/{}.pcap", dir.io(), network);
        // A new file (O_EXCL, O_NOFOLLOW); libpcap writes through a FILE*.
        Fd fd = create_new_file(path);
        std::FILE* file = ::fdopen(fd.get(), "wb");
        if (!file) throw_errno(fmt::format("fdopen({})", path));
        (void)fd.release();  // the FILE* owns it now
        DumperPtr dumper(pcap_dump_fopen(handle, file));
        if (!dumper) {
            const std::string why = pcap_geterr(handle);
            (void)std::fclose(file);
            throw Error(fmt::format("pcap_dump_fopen({}): {}", path, why));
        }
        files.push_back(fmt::format("{}/{}.pcap", dir.path, network));
        return dumpers.emplace(network, std::move(dumper)).first->second.get();
    }
};

Capture::Capture(const std::vector<TapPlan>& taps, const std::vector<int>& netns_fds,
                 const HeldFolder& dir, size_t limit)
    : state_(std::make_unique<State>()) {
    State& s = *state_;
    s.limit = limit;
    s.taps.reserve(taps.size());  // the handlers hold references into it
    for (const auto& plan : taps) {
        State::Tap tap{nullptr, plan.network, plan.sender,
                       fmt::format("interface {} in the namespace of {}, {} frames", plan.interface,
                                   plan.sender, plan.inbound ? "arriving" : "leaving")};
        TapOptions options;
        options.interface = plan.interface;
        options.netns_fd = netns_fds.at(plan.ns);
        options.inbound = plan.inbound;
        options.where = tap.where;
        options.snaplen = kCaptureSnaplen;
        options.buffer_bytes = kCaptureBuffer;
        PcapPtr handle = open_tap(options);
        tap.dumper = s.dumper_for(plan.network, handle.get(), dir, files_);
        const State::Tap& kept = s.taps.emplace_back(std::move(tap));
        s.reader.add(std::move(handle), [&s, &kept](const pcap_pkthdr& h, const u_char* bytes) {
            s.on_frame(kept, h, bytes);
        });
    }
    ::gettimeofday(&s.start, nullptr);
    s.reader.start();
}

Capture::~Capture() {
    stop();
}

std::vector<Sighting> Capture::stop() {
    State& s = *state_;
    if (s.stopped) return {};
    s.stopped = true;
    s.reader.stop();
    const std::vector<unsigned> drops = s.reader.drops();
    for (size_t i = 0; i < drops.size(); ++i) {
        if (drops[i] > 0)
            notes_.push_back(fmt::format("capture: the kernel dropped {} frames on {}", drops[i],
                                         s.taps[i].where));
    }
    for (const auto& [network, counts] : s.written) {
        if (counts.second > 0)
            notes_.push_back(
                fmt::format("capture: {}.pcap cut at its limit of {} ({} frames "
                            "not written; --capture-limit)",
                            network, format_bytes(s.limit), counts.second));
    }
    for (auto& [network, d] : s.dumpers) pcap_dump_flush(d.get());
    return std::move(s.sightings);
}

}  // namespace testbed
