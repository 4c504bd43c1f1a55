// testbed-link: what a link does to datagrams, measured from both ends, for
// the link-condition topologies (topologies/link/).
//
//   testbed-link send ADDRESS:PORT [--count 1000] [--size 200] [--rate 1000]
//                                  [--dont-fragment]
//       sends --count numbered datagrams of --size bytes, --rate a second;
//       prints {"sent", "refused", "size", "path_mtu"}: refused counts sends
//       the kernel turned down (EMSGSIZE once it has learnt a smaller path
//       MTU), path_mtu is what it knows of the path at the end.
//   testbed-link receive PORT [--timeout 10s] [--idle 1s]
//       counts numbered datagrams until --idle passes without one (after the
//       first) or --timeout in all; prints {"received", "unique",
//       "duplicates", "reordered", "lost_percent", "bytes",
//       "bits_per_second"}.
//   testbed-link echo PORT [--timeout 30s]
//       sends every datagram back to where it came from.
//   testbed-link ping ADDRESS:PORT [--count 50] [--interval 20ms]
//       one numbered datagram per interval to an echo; prints {"sent",
//       "answered", "rtt_ms": {"min", "median", "max"}}.
//   testbed-link hello ADDRESS:PORT [--local-port N] [--wait 10s]
//       one datagram out, then counts the answers: {"replies",
//       "last_reply_ms"} (what a NAT's mapping timeouts let back in).
//   testbed-link reply PORT --at 0s [--at 6s ...] [--timeout 10s]
//       answers the first datagram at each --at after it came.
//
// Datagrams carry "TBLK", their number and the count, so the receiver knows
// what it should have had without a second channel.

#include <fmt/core.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cerrno>
#include <chrono>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <thread>
#include <vector>

#include "base/big_endian.h"
#include "base/duration.h"
#include "base/error.h"
#include "base/fd.h"
#include "programs/net/sockaddr.h"
#include "programs/net/udp.h"

namespace {

using namespace testbed;
using Clock = std::chrono::steady_clock;
using Json = nlohmann::json;

constexpr std::array<uint8_t, 4> kMagic{'T', 'B', 'L', 'K'};
constexpr size_t kHeader = 12;  ///< magic, number, count
constexpr size_t kMaxSize = 65507;

struct Numbered {
    uint32_t number = 0;
    uint32_t count = 0;
};

std::vector<uint8_t> numbered(uint32_t number, uint32_t count, size_t size) {
    std::vector<uint8_t> out(std::max(size, kHeader), 0);
    std::copy(kMagic.begin(), kMagic.end(), out.begin());
    big_endian::write32(out, 4, number);
    big_endian::write32(out, 8, count);
    return out;
}

std::optional<Numbered> read_numbered(std::span<const uint8_t> in) {
    if (in.size() < kHeader || !std::equal(kMagic.begin(), kMagic.end(), in.begin()))
        return std::nullopt;
    return Numbered{big_endian::read32(in, 4), big_endian::read32(in, 8)};
}

/// A UDP socket connected to `to`, so the kernel keeps the path MTU it
/// learns for it; with `dont_fragment`, datagrams leave with DF set and
/// the kernel never fragments them.
Fd connected_socket(const stun::Endpoint& to, bool dont_fragment) {
    Fd fd(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
    if (!fd.valid()) throw_errno("socket(AF_INET, SOCK_DGRAM)");
    const int pmtu = dont_fragment ? IP_PMTUDISC_DO : IP_PMTUDISC_WANT;
    if (::setsockopt(fd.get(), IPPROTO_IP, IP_MTU_DISCOVER, &pmtu, sizeof pmtu) != 0)
        throw_errno("setsockopt(IP_MTU_DISCOVER)");
    const sockaddr_in sa = programs::to_sockaddr(to);
    if (::connect(fd.get(), reinterpret_cast<const sockaddr*>(&sa), sizeof sa) != 0)
        throw_errno(fmt::format("connect({})", to.str()));
    return fd;
}

int path_mtu(int fd) {
    int mtu = 0;
    socklen_t len = sizeof mtu;
    if (::getsockopt(fd, IPPROTO_IP, IP_MTU, &mtu, &len) != 0) throw_errno("getsockopt(IP_MTU)");
    return mtu;
}

struct SendOptions {
    uint32_t count = 1000;
    size_t size = 200;
    double rate = 1000;
    bool dont_fragment = false;
};

/// Paced by a schedule, not by sleeping a fixed time after each send, so
/// the rate holds whatever a send costs. A sender the machine stalled does
/// not catch up in a burst (which would pour a second's datagrams into
/// whatever window a link step opened meanwhile): past kMaxLate behind,
/// the schedule starts again from now.
Json send(const stun::Endpoint& to, const SendOptions& o) {
    constexpr auto kMaxLate = std::chrono::milliseconds(20);
    const Fd fd = connected_socket(to, o.dont_fragment);
    const auto step =
        std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(1.0 / o.rate));
    auto due = Clock::now();
    size_t refused = 0;
    for (uint32_t i = 0; i < o.count; ++i, due += step) {
        if (const auto now = Clock::now(); now > due + kMaxLate) due = now;
        std::this_thread::sleep_until(due);
        const auto bytes = numbered(i, o.count, o.size);
        // ECONNREFUSED (an ICMP port unreachable for an earlier one) and
        // EMSGSIZE (a path MTU learnt) are what a link does; count them.
        if (::send(fd.get(), bytes.data(), bytes.size(), 0) < 0) ++refused;
    }
    return {{"sent", o.count - refused},
            {"refused", refused},
            {"size", std::max(o.size, kHeader)},
            {"path_mtu", path_mtu(fd.get())}};
}

/// What the receiver saw of the numbered datagrams.
class Tally {
  public:
    void add(const Numbered& n, size_t size, Clock::time_point at) {
        if (received_ == 0) first_ = at;
        last_ = at;
        ++received_;
        bytes_ += size;
        if (received_ == 1) first_size_ = size;
        count_ = std::max(count_, n.count);
        if (!seen_.insert(n.number).second) {
            ++duplicates_;
            return;
        }
        if (n.number < highest_) ++reordered_;
        highest_ = std::max(highest_, n.number);
    }

    Json json() const {
        const double seconds = std::chrono::duration<double>(last_ - first_).count();
        // The first datagram starts the clock, so its bytes are not part of
        // the rate: n datagrams span n - 1 gaps.
        const double bps =
            seconds > 0 ? static_cast<double>(bytes_ - first_size_) * 8 / seconds : 0;
        const double lost = count_ == 0 ? 100.0
                                        : 100.0 * static_cast<double>(count_ - seen_.size()) /
                                              static_cast<double>(count_);
        return {{"received", received_},   {"unique", seen_.size()}, {"duplicates", duplicates_},
                {"reordered", reordered_}, {"expected", count_},     {"lost_percent", lost},
                {"bytes", bytes_},         {"bits_per_second", bps}};
    }

  private:
    size_t received_ = 0, duplicates_ = 0, reordered_ = 0, bytes_ = 0, first_size_ = 0;
    uint32_t count_ = 0, highest_ = 0;
    std::set<uint32_t> seen_;
    Clock::time_point first_, last_;
};

/// Said once the socket is bound, for a `ready: { stdout: listening }`.
void announce_listening() {
    fmt::print("listening\n");
    (void)std::fflush(stdout);
}

Json receive(uint16_t port, Duration timeout, Duration idle) {
    programs::UdpSocket socket({Ipv4{0}, port});
    announce_listening();
    Tally tally;
    const auto end = Clock::now() + timeout;
    auto quiet_until = end;
    while (Clock::now() < std::min(end, quiet_until)) {
        auto d = socket.receive(std::chrono::milliseconds(20));
        if (!d) continue;
        const auto n = read_numbered(d->bytes);
        if (!n) continue;
        tally.add(*n, d->size, Clock::now());
        quiet_until = Clock::now() + idle;
    }
    return tally.json();
}

void echo(uint16_t port, Duration timeout) {
    programs::UdpSocket socket({Ipv4{0}, port});
    announce_listening();
    const auto end = Clock::now() + timeout;
    while (Clock::now() < end) {
        auto d = socket.receive(std::chrono::milliseconds(50));
        if (d)
            socket.send_to(d->from, std::span(d->bytes).first(std::min(d->size, d->bytes.size())));
    }
}

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    const size_t mid = v.size() / 2;
    return v.size() % 2 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
}

/// Sends one numbered datagram per interval and waits for its echo until
/// the next is due; a late echo of an earlier one is not counted.
Json ping(const stun::Endpoint& to, uint32_t count, Duration interval) {
    const Fd fd = connected_socket(to, false);
    std::vector<double> rtts;
    for (uint32_t i = 0; i < count; ++i) {
        const auto sent = Clock::now();
        const auto bytes = numbered(i, count, 64);
        (void)::send(fd.get(), bytes.data(), bytes.size(), 0);
        for (auto due = sent + interval; Clock::now() < due;) {
            pollfd p{fd.get(), POLLIN, 0};
            const auto left =
                std::chrono::duration_cast<std::chrono::milliseconds>(due - Clock::now());
            if (::poll(&p, 1, static_cast<int>(std::max<int64_t>(left.count(), 1))) <= 0) continue;
            std::array<uint8_t, 64> in{};
            const ssize_t got = ::recv(fd.get(), in.data(), in.size(), 0);
            const auto n = got > 0 ? read_numbered(std::span(in).first(static_cast<size_t>(got)))
                                   : std::nullopt;
            if (!n || n->number != i) continue;
            rtts.push_back(std::chrono::duration<double, std::milli>(Clock::now() - sent).count());
            std::this_thread::sleep_until(due);
        }
    }
    Json out{{"sent", count}, {"answered", rtts.size()}};
    if (!rtts.empty())
        out["rtt_ms"] = {{"min", *std::min_element(rtts.begin(), rtts.end())},
                         {"median", median(rtts)},
                         {"max", *std::max_element(rtts.begin(), rtts.end())}};
    return out;
}

/// One datagram from `local_port` to `to`, then every answer until `wait`
/// is over: whether a NAT still let them in, and when the last came.
Json hello(const stun::Endpoint& to, uint16_t local_port, Duration wait) {
    programs::UdpSocket socket({Ipv4{0}, local_port});
    const auto start = Clock::now();
    socket.send_to(to, numbered(0, 1, kHeader));
    size_t replies = 0;
    double last_ms = 0;
    for (const auto end = start + wait; Clock::now() < end;) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(end - Clock::now());
        auto d = socket.receive(std::max(left, std::chrono::milliseconds(1)));
        if (!d || !read_numbered(d->bytes)) continue;
        ++replies;
        last_ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
    }
    return {{"replies", replies}, {"last_reply_ms", last_ms}};
}

/// Waits for the first datagram on `port` and answers it at each of `at`
/// (since it came; 0s is at once), from the same socket: late answers on a
/// flow that had one before, or on one that never had.
Json reply(uint16_t port, const std::vector<Duration>& at, Duration timeout) {
    programs::UdpSocket socket({Ipv4{0}, port});
    announce_listening();
    auto first = socket.receive(timeout);
    if (!first) return {{"answered", 0}, {"error", "nothing came"}};
    const auto got = Clock::now();
    uint32_t answered = 0;
    for (const Duration when : at) {
        std::this_thread::sleep_until(got + when);
        socket.send_to(first->from, numbered(answered, static_cast<uint32_t>(at.size()), kHeader));
        ++answered;
    }
    return {{"answered", answered}, {"to", first->from.str()}};
}

stun::Endpoint endpoint(const std::string& text) {
    const auto e = stun::Endpoint::parse(text);
    if (!e) throw Error(fmt::format("expected ADDRESS:PORT, found '{}'", text));
    return *e;
}

int run(int argc, char** argv) {
    CLI::App app{"testbed-link: what a link does to datagrams"};
    app.require_subcommand(1);
    std::string target;
    int port = 0;
    SendOptions o;
    std::string timeout_text = "10s", idle_text = "1s", interval_text = "20ms";
    auto* snd = app.add_subcommand("send", "send numbered datagrams");
    snd->add_option("target", target, "ADDRESS:PORT")->required();
    snd->add_option("--count", o.count)->check(CLI::Range(1U, 10'000'000U))->capture_default_str();
    snd->add_option("--size", o.size, "bytes of UDP payload")
        ->check(CLI::Range(size_t{kHeader}, kMaxSize))
        ->capture_default_str();
    snd->add_option("--rate", o.rate, "datagrams a second")
        ->check(CLI::Range(0.1, 1e6))
        ->capture_default_str();
    snd->add_flag("--dont-fragment", o.dont_fragment, "set DF; learn the path MTU");
    auto* rcv = app.add_subcommand("receive", "count numbered datagrams");
    rcv->add_option("port", port)->required()->check(CLI::Range(1, 65535));
    rcv->add_option("--timeout", timeout_text)->capture_default_str();
    rcv->add_option("--idle", idle_text, "end this long after the last datagram")
        ->capture_default_str();
    auto* ech = app.add_subcommand("echo", "send every datagram back");
    ech->add_option("port", port)->required()->check(CLI::Range(1, 65535));
    std::string echo_timeout_text = "30s";
    ech->add_option("--timeout", echo_timeout_text)->capture_default_str();
    uint32_t pings = 50;
    auto* png = app.add_subcommand("ping", "round trips through an echo");
    png->add_option("target", target, "ADDRESS:PORT")->required();
    png->add_option("--count", pings)->check(CLI::Range(1U, 100'000U))->capture_default_str();
    png->add_option("--interval", interval_text)->capture_default_str();
    uint16_t local_port = 0;
    std::string wait_text = "10s";
    std::vector<std::string> at_texts;
    auto* hel = app.add_subcommand("hello", "one datagram out, then count the answers");
    hel->add_option("target", target, "ADDRESS:PORT")->required();
    hel->add_option("--local-port", local_port)->capture_default_str();
    hel->add_option("--wait", wait_text)->capture_default_str();
    auto* rep = app.add_subcommand("reply", "answer the first datagram at given times");
    rep->add_option("port", port)->required()->check(CLI::Range(1, 65535));
    rep->add_option("--at", at_texts, "when to answer, after it came (0s: at once)")->required();
    rep->add_option("--timeout", timeout_text)->capture_default_str();
    CLI11_PARSE(app, argc, argv);
    try {
        Json out;
        const auto p = static_cast<uint16_t>(port);
        if (snd->parsed()) out = send(endpoint(target), o);
        if (rcv->parsed())
            out = receive(p, duration_option(timeout_text, "--timeout"),
                          duration_option(idle_text, "--idle"));
        if (ech->parsed()) {
            echo(p, duration_option(echo_timeout_text, "--timeout"));
            return 0;
        }
        if (hel->parsed())
            out = hello(endpoint(target), local_port, duration_option(wait_text, "--wait"));
        if (rep->parsed()) {
            std::vector<Duration> at;
            at.reserve(at_texts.size());
            for (const auto& text : at_texts) at.push_back(duration_option(text, "--at"));
            std::sort(at.begin(), at.end());
            out = reply(p, at, duration_option(timeout_text, "--timeout"));
        }
        if (png->parsed())
            out = ping(endpoint(target), pings, duration_option(interval_text, "--interval"));
        fmt::print("{}\n", out.dump());
        return 0;
    } catch (const std::exception& e) {
        fmt::print(stderr, "testbed-link: {}\n", e.what());
        return 2;
    }
}

}  // namespace

int main(int argc, char** argv) {
    return testbed::guarded_main("testbed-link", argc, argv, run);
}
