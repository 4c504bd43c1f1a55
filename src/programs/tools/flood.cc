// testbed-flood: abuse for the rendezvous server, for the flood test
// (topologies/punch/server-flood.yaml). For --duration it sends, at --rate
// messages a second from many source ports, a mix of: random bytes,
// truncated and oversized STUN, registrations under random ids and keys,
// introductions to unknown peers, relays and reversals without an
// introduction, and Binding requests; it opens more TCP connections than the
// server accepts and feeds some of them garbage and holds the rest silent.
// (Attacks that follow the protocol are testbed-attack's.)
// Prints "flooding" when it starts, "holding connections" once its TCP
// connections are open, and a JSON summary at the end.

#include <fmt/core.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <memory>
#include <nlohmann/json.hpp>
#include <random>

#include "base/duration.h"
#include "base/error.h"
#include "programs/net/tcp.h"
#include "programs/net/udp.h"
#include "punch/protocol.h"

namespace {

using namespace testbed;
using Clock = std::chrono::steady_clock;

class Flood {
  public:
    explicit Flood(stun::Endpoint target) : target_(target) {
        for (int i = 0; i < 16; ++i)
            sockets_.push_back(std::make_unique<programs::UdpSocket>(stun::Endpoint{Ipv4{0}, 0}));
    }

    void udp_message() {
        auto& socket = *sockets_[count_ % sockets_.size()];
        socket.send_to(target_, next_message());
        ++count_;
    }

    /// Connections past the server's limit; every other one sends garbage or a half frame.
    void tcp_round(size_t connections) {
        for (size_t i = 0; i < connections; ++i) {
            try {
                Fd fd = programs::tcp_bound_socket({Ipv4{0}, 0});
                if (!programs::tcp_start_connect(fd.get(), target_)) continue;
                pollfd p{fd.get(), POLLOUT, 0};
                if (::poll(&p, 1, 100) <= 0 || programs::socket_error(fd.get()) != 0) continue;
                ++tcp_;
                if (i % 2 == 0) {
                    const auto junk = i % 4 == 0 ? random_bytes(300) : half_frame();
                    (void)::send(fd.get(), junk.data(), junk.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
                }
                held_.push_back(std::move(fd));
            } catch (const std::exception&) {
                break;  // out of descriptors: enough connections
            }
        }
    }

    nlohmann::json summary() const { return {{"sent", count_}, {"tcp_connections", tcp_}}; }

  private:
    stun::Endpoint target_;
    std::vector<std::unique_ptr<programs::UdpSocket>> sockets_;
    std::vector<Fd> held_;
    std::mt19937 random_{12345};
    uint64_t count_ = 0;
    uint64_t tcp_ = 0;

    std::vector<uint8_t> random_bytes(size_t n) {
        std::vector<uint8_t> out(n);
        for (auto& b : out) b = static_cast<uint8_t>(random_());
        return out;
    }

    std::vector<uint8_t> half_frame() {
        stun::Message m;
        m.transaction = stun::new_transaction_id();
        m.add_software(std::string(200, 'x'));
        auto bytes = stun::encode(m);
        bytes.resize(bytes.size() / 2);
        return bytes;
    }

    std::string random_id() { return fmt::format("spoof-{}", random_() % 100000); }

    std::vector<uint8_t> next_message() {
        switch (count_ % 9) {
            case 0:
                return random_bytes(random_() % 1500);
            case 1:
                return half_frame();
            case 2: {  // oversized: a valid header announcing more than the server takes
                stun::Message m;
                m.transaction = stun::new_transaction_id();
                m.add_software(std::string(2000, 'y'));
                return stun::encode(m);
            }
            case 3: {
                punch::PublicKey k{};
                for (auto& b : k) b = static_cast<uint8_t>(random_());
                return stun::encode(punch::to_message(
                    punch::Register{random_id(), k, {}, 0, {}, {}}, stun::new_transaction_id()));
            }
            case 4:
                return stun::encode(
                    punch::to_message(punch::Connect{random_id()}, stun::new_transaction_id()));
            case 5:
                return stun::encode(
                    punch::to_message(punch::Relay{random_id(), random_bytes(200)}));
            case 6:
                return stun::encode(punch::to_message(punch::Reversal{random_id()}));
            case 7:
                return random_bytes(9000);
            default: {
                stun::Message m;
                m.transaction = stun::new_transaction_id();
                return stun::encode(m);
            }
        }
    }
};

}  // namespace

namespace {
int run(int argc, char** argv) {
    CLI::App app{"testbed-flood: garbage and floods for a rendezvous server"};
    std::string target_text;
    std::string duration_text = "3s";
    double rate = 20000;
    size_t connections = 600;
    app.add_option("--target", target_text, "Server ADDRESS:PORT")->required();
    app.add_option("--duration", duration_text, "How long")->capture_default_str();
    app.add_option("--rate", rate, "UDP messages a second (0: none)")->capture_default_str();
    app.add_option("--connections", connections, "TCP connections to open")->capture_default_str();
    CLI11_PARSE(app, argc, argv);
    auto target = stun::Endpoint::parse(target_text);
    auto duration = parse_duration(duration_text);
    if (!target || !duration) {
        fmt::print(stderr, "--target expects ADDRESS:PORT, --duration a duration\n");
        return 2;
    }
    rlimit files{};
    if (::getrlimit(RLIMIT_NOFILE, &files) == 0) {
        files.rlim_cur = files.rlim_max;
        (void)::setrlimit(RLIMIT_NOFILE, &files);
    }
    Flood flood(*target);
    fmt::print("flooding {}\n", target->str());
    (void)std::fflush(stdout);
    // Connections first, so whatever starts once they are held (the
    // scenario waits for this line) meets a server with its slots taken.
    if (connections > 0) flood.tcp_round(connections);
    fmt::print("holding connections\n");
    (void)std::fflush(stdout);
    const auto start = Clock::now();
    const auto end = start + *duration;
    const auto interval = std::chrono::duration<double>(rate > 0 ? 1.0 / rate : 3600.0);
    auto next = rate > 0 ? start : end;
    while (Clock::now() < end) {
        if (Clock::now() >= next) {
            flood.udp_message();
            next += std::chrono::duration_cast<Clock::duration>(interval);
        }
        if (Clock::now() < next) ::usleep(50);  // pacing, not readiness
    }
    fmt::print("{}\n", flood.summary().dump());
    return 0;
}
}  // namespace

int main(int argc, char** argv) {
    return testbed::guarded_main("testbed-flood", argc, argv, run);
}
