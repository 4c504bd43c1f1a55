#include "run/pcap_tap.h"

#include <fmt/core.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "base/error.h"
#include "base/log.h"
#include "kernel/linux/netns.h"

namespace testbed {

PcapPtr open_tap(const TapOptions& o) {
    char error[PCAP_ERRBUF_SIZE] = "";
    NetnsScope inside(o.netns_fd);
    PcapPtr handle(pcap_create(o.interface.c_str(), error));
    if (!handle) throw Error(fmt::format("pcap_create({}): {}", o.where, error));
    pcap_t* h = handle.get();
    auto fail = [&](const char* call, int rc) {
        const std::string why = rc == PCAP_ERROR ? pcap_geterr(h) : pcap_statustostr(rc);
        throw Error(fmt::format("{}({}): {}", call, o.where, why));
    };
    if (int rc = pcap_set_immediate_mode(h, 1); rc != 0) fail("pcap_set_immediate_mode", rc);
    if (int rc = pcap_set_snaplen(h, o.snaplen); rc != 0) fail("pcap_set_snaplen", rc);
    if (o.buffer_bytes > 0) {
        if (int rc = pcap_set_buffer_size(h, o.buffer_bytes); rc != 0)
            fail("pcap_set_buffer_size", rc);
    }
    if (int rc = pcap_activate(h); rc < 0) fail("pcap_activate", rc);
    if (int rc = pcap_setdirection(h, o.inbound ? PCAP_D_IN : PCAP_D_OUT); rc != 0)
        fail("pcap_setdirection", rc);
    if (!o.filter.empty()) {
        bpf_program program{};
        if (pcap_compile(h, &program, o.filter.c_str(), 1, PCAP_NETMASK_UNKNOWN) != 0)
            fail("pcap_compile", PCAP_ERROR);
        const int rc = pcap_setfilter(h, &program);
        pcap_freecode(&program);
        if (rc != 0) fail("pcap_setfilter", PCAP_ERROR);
    }
    if (pcap_setnonblock(h, 1, error) != 0)
        throw Error(fmt::format("pcap_setnonblock({}): {}", o.where, error));
    return handle;
}

TapReader::TapReader() : wake_(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) {
    if (!wake_.valid()) throw_errno("eventfd");
}

TapReader::~TapReader() {
    stop();
}

void TapReader::add(PcapPtr handle, Handler handler) {
    taps_.push_back(std::make_unique<Tap>(Tap{std::move(handle), std::move(handler)}));
}

void TapReader::start() {
    thread_ = std::thread([this] { loop(); });
}

void TapReader::on_frame(u_char* user, const pcap_pkthdr* header, const u_char* bytes) {
    reinterpret_cast<Tap*>(user)->handler(*header, bytes);
}

void TapReader::dispatch(Tap& tap) {
    while (pcap_dispatch(tap.handle.get(), -1, on_frame, reinterpret_cast<u_char*>(&tap)) > 0) {
    }
}

void TapReader::loop() {
    std::vector<pollfd> fds;
    fds.reserve(taps_.size() + 1);
    for (auto& t : taps_) fds.push_back({pcap_get_selectable_fd(t->handle.get()), POLLIN, 0});
    fds.push_back({wake_.get(), POLLIN, 0});
    while (!stopping_.load()) {
        if (::poll(fds.data(), fds.size(), -1) < 0 && errno != EINTR) break;
        for (size_t i = 0; i < taps_.size(); ++i) {
            if (fds[i].revents & POLLIN) dispatch(*taps_[i]);
        }
    }
    for (auto& t : taps_) dispatch(*t);
}

void TapReader::stop() {
    if (stopped_) return;
    stopped_ = true;
    stopping_ = true;
    const uint64_t one = 1;
    if (::write(wake_.get(), &one, sizeof one) < 0)
        log::warning("eventfd write: {}", std::strerror(errno));
    if (thread_.joinable()) thread_.join();
}

std::vector<unsigned> TapReader::drops() const {
    std::vector<unsigned> out;
    out.reserve(taps_.size());
    for (const auto& t : taps_) {
        pcap_stat stats{};
        out.push_back(pcap_stats(t->handle.get(), &stats) == 0 ? stats.ps_drop : 0);
    }
    return out;
}

}  // namespace testbed
