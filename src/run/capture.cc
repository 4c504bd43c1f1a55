#include "run/capture.h"

#include <fmt/core.h>
#include <pcap/pcap.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/time.h>

#include <atomic>
#include <map>
#include <thread>

#include "base/error.h"
#include "base/fd.h"
#include "base/log.h"
#include "base/safe_file.h"
#include "kernel/linux/netns.h"

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

struct PcapCloser {
    void operator()(pcap_t* p) const { pcap_close(p); }
};
struct DumperCloser {
    void operator()(pcap_dumper_t* d) const { pcap_dump_close(d); }
};
using PcapPtr = std::unique_ptr<pcap_t, PcapCloser>;
using DumperPtr = std::unique_ptr<pcap_dumper_t, DumperCloser>;

}  // namespace

struct Capture::State {
    struct Tap {
        State* state = nullptr;
        PcapPtr handle;
        pcap_dumper_t* dumper = nullptr;  ///< owned by `dumpers`
        std::string network, sender, where;
    };
    std::vector<std::unique_ptr<Tap>> taps;
    std::map<std::string, DumperPtr> dumpers;  ///< destroyed before the taps they write for
    std::vector<Sighting> sightings;
    timeval start{};
    Fd wake;
    std::atomic<bool> stopping{false};
    std::thread thread;
    bool stopped = false;

    static void on_frame(u_char* user, const pcap_pkthdr* h, const u_char* bytes) {
        auto* tap = reinterpret_cast<Tap*>(user);
        pcap_dump(reinterpret_cast<u_char*>(tap->dumper), h, bytes);
        State& s = *tap->state;
        if (s.sightings.size() >= kMaxSightings) return;
        const double ms = static_cast<double>(h->ts.tv_sec - s.start.tv_sec) * 1e3 +
                          static_cast<double>(h->ts.tv_usec - s.start.tv_usec) / 1e3;
        const size_t n = std::min<size_t>(h->caplen, kSightingBytes);
        s.sightings.push_back({ms, tap->network, tap->sender, {bytes, bytes + n}, h->len});
    }

    void drain() {
        for (auto& t : taps) {
            while (pcap_dispatch(t->handle.get(), -1, on_frame,
                                 reinterpret_cast<u_char*>(t.get())) > 0) {
            }
        }
    }

    void loop() {
        std::vector<pollfd> fds;
        for (auto& t : taps) fds.push_back({pcap_get_selectable_fd(t->handle.get()), POLLIN, 0});
        fds.push_back({wake.get(), POLLIN, 0});
        while (!stopping.load()) {
            if (::poll(fds.data(), fds.size(), -1) < 0 && errno != EINTR) break;
            for (size_t i = 0; i < taps.size(); ++i) {
                if (fds[i].revents & POLLIN) {
                    pcap_dispatch(taps[i]->handle.get(), -1, on_frame,
                                  reinterpret_cast<u_char*>(taps[i].get()));
                }
            }
        }
        drain();
    }
};

namespace {

PcapPtr open_tap(const TapPlan& tap, int netns_fd, const std::string& where) {
    char error[PCAP_ERRBUF_SIZE] = "";
    NetnsScope inside(netns_fd);
    PcapPtr handle(pcap_create(tap.interface.c_str(), error));
    if (!handle) throw Error(fmt::format("pcap_create({}): {}", where, error));
    pcap_t* h = handle.get();
    auto fail = [&](const char* call, int rc) {
        const std::string why = rc == PCAP_ERROR ? pcap_geterr(h) : pcap_statustostr(rc);
        throw Error(fmt::format("{}({}): {}", call, where, why));
    };
    if (int rc = pcap_set_immediate_mode(h, 1); rc != 0) fail("pcap_set_immediate_mode", rc);
    if (int rc = pcap_set_snaplen(h, 65535); rc != 0) fail("pcap_set_snaplen", rc);
    if (int rc = pcap_activate(h); rc < 0) fail("pcap_activate", rc);
    if (int rc = pcap_setdirection(h, tap.inbound ? PCAP_D_IN : PCAP_D_OUT); rc != 0)
        fail("pcap_setdirection", rc);
    if (pcap_setnonblock(h, 1, error) != 0)
        throw Error(fmt::format("pcap_setnonblock({}): {}", where, error));
    return handle;
}

}  // namespace

Capture::Capture(const std::vector<TapPlan>& taps, const std::vector<int>& netns_fds,
                 const std::string& dir)
    : state_(std::make_unique<State>()) {
    State& s = *state_;
    s.wake = Fd(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
    if (!s.wake.valid()) throw_errno("eventfd");
    for (const auto& plan : taps) {
        const std::string where =
            fmt::format("interface {} in the namespace of {}, {} frames", plan.interface,
                        plan.sender, plan.inbound ? "arriving" : "leaving");
        auto tap = std::make_unique<State::Tap>();
        tap->state = &s;
        tap->network = plan.network;
        tap->sender = plan.sender;
        tap->handle = open_tap(plan, netns_fds.at(plan.ns), where);
        tap->where = where;
        s.taps.push_back(std::move(tap));
        pcap_t* handle = s.taps.back()->handle.get();
        auto it = s.dumpers.find(plan.network);
        if (it == s.dumpers.end()) {
            const std::string path = fmt::format("{}/{}.pcap", dir, plan.network);
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
            it = s.dumpers.emplace(plan.network, std::move(dumper)).first;
            files_.push_back(path);
        }
        s.taps.back()->dumper = it->second.get();
    }
    ::gettimeofday(&s.start, nullptr);
    s.thread = std::thread([&s] { s.loop(); });
}

Capture::~Capture() {
    stop();
}

std::vector<Sighting> Capture::stop() {
    State& s = *state_;
    if (s.stopped) return {};
    s.stopped = true;
    s.stopping = true;
    const uint64_t one = 1;
    if (::write(s.wake.get(), &one, sizeof one) < 0)
        log::warning("eventfd write: {}", std::strerror(errno));
    if (s.thread.joinable()) s.thread.join();
    for (auto& t : s.taps) {
        pcap_stat stats{};
        if (pcap_stats(t->handle.get(), &stats) == 0 && stats.ps_drop > 0)
            log::warning("capture: the kernel dropped {} frames on {}", stats.ps_drop, t->where);
    }
    for (auto& [network, d] : s.dumpers) pcap_dump_flush(d.get());
    return std::move(s.sightings);
}

}  // namespace testbed
