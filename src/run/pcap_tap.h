#pragma once
/// One libpcap handle on an interface inside a namespace of the run: what
/// the capture (capture.h) and the traffic watch (traffic_watch.h) listen
/// through.

#include <pcap/pcap.h>

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "base/fd.h"

namespace testbed {

struct PcapCloser {
    void operator()(pcap_t* p) const { pcap_close(p); }
};
using PcapPtr = std::unique_ptr<pcap_t, PcapCloser>;

/// What to open: `interface` inside the namespace behind `netns_fd`, the
/// frames arriving (`inbound`) or leaving, with an optional BPF `filter`
/// and kernel buffer; `where` names it in messages.
struct TapOptions {
    std::string interface;
    int netns_fd = -1;
    bool inbound = true;
    std::string filter;
    int snaplen = 65535;
    int buffer_bytes = 0;  ///< 0: libpcap's default
    std::string where;
};

/// An active, non-blocking handle in immediate mode. Throws Error naming
/// the libpcap call, `where` and libpcap's message.
PcapPtr open_tap(const TapOptions& options);

/// Reads several taps on a thread of its own until stopped: each frame goes
/// to the handler of its tap, on that thread.
class TapReader {
  public:
    using Handler = std::function<void(const pcap_pkthdr& header, const u_char* bytes)>;

    TapReader();
    ~TapReader();
    TapReader(const TapReader&) = delete;
    TapReader& operator=(const TapReader&) = delete;

    /// Before start() only.
    void add(PcapPtr handle, Handler handler);
    void start();
    /// Wakes the thread, joins it and reads what is still queued. Safe twice.
    void stop();
    /// What the kernel dropped on each tap, in the order added (after stop()).
    std::vector<unsigned> drops() const;
    /// The handle of the tap added `i`-th (e.g. for a pcap dumper).
    pcap_t* handle(size_t i) const { return taps_.at(i)->handle.get(); }

  private:
    struct Tap {
        PcapPtr handle;
        Handler handler;
    };
    static void on_frame(u_char* user, const pcap_pkthdr* header, const u_char* bytes);
    static void dispatch(Tap& tap);
    void loop();

    std::vector<std::unique_ptr<Tap>> taps_;
    Fd wake_;
    std::atomic<bool> stopping_{false};
    std::thread thread_;
    bool stopped_ = false;
};

}  // namespace testbed
