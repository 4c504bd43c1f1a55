// testbed-stun-load: STUN Binding load for bench/stun-rate.sh. Keeps
// --window requests in flight on each of --sockets UDP sockets for
// --duration, and prints the rate of answered Bindings as JSON. A request
// unanswered for 200 ms counts as lost and is replaced.

#include <fmt/core.h>
#include <poll.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>

#include "base/duration.h"
#include "base/error.h"
#include "programs/net/udp.h"
#include "stun/stun.h"

namespace {

using namespace testbed;
using Clock = std::chrono::steady_clock;

struct Flow {
    std::unique_ptr<programs::UdpSocket> socket;
    std::map<stun::TransactionId, Clock::time_point> pending;
};

void send_one(Flow& f, const stun::Endpoint& target) {
    stun::Message m;
    m.transaction = stun::new_transaction_id();
    f.socket->send_to(target, stun::encode(m));
    f.pending[m.transaction] = Clock::now();
}

}  // namespace

namespace {
int run(int argc, char** argv) {
    CLI::App app{"testbed-stun-load: STUN Binding request rate against a server"};
    std::string target_text;
    std::string duration_text = "3s";
    size_t sockets = 8;
    size_t window = 16;
    app.add_option("--target", target_text, "Server ADDRESS:PORT")->required();
    app.add_option("--duration", duration_text, "How long to measure")->capture_default_str();
    app.add_option("--sockets", sockets, "Client sockets")->capture_default_str();
    app.add_option("--window", window, "Requests in flight per socket")->capture_default_str();
    CLI11_PARSE(app, argc, argv);
    auto target = stun::Endpoint::parse(target_text);
    auto duration = parse_duration(duration_text);
    if (!target || !duration) {
        fmt::print(stderr, "--target expects ADDRESS:PORT, --duration a duration\n");
        return 2;
    }
    std::vector<Flow> flows(sockets);
    for (auto& f : flows) {
        f.socket = std::make_unique<programs::UdpSocket>(stun::Endpoint{Ipv4{0}, 0});
        for (size_t i = 0; i < window; ++i) send_one(f, *target);
    }
    uint64_t answered = 0;
    uint64_t lost = 0;
    const auto start = Clock::now();
    const auto end = start + *duration;
    std::vector<pollfd> fds;
    fds.reserve(flows.size());
    for (auto& f : flows) fds.push_back({f.socket->fd(), POLLIN, 0});
    while (Clock::now() < end) {
        if (::poll(fds.data(), fds.size(), 50) < 0) break;
        const auto now = Clock::now();
        for (size_t i = 0; i < flows.size(); ++i) {
            Flow& f = flows[i];
            if (fds[i].revents & POLLIN) {
                while (auto d = f.socket->receive(std::chrono::milliseconds(0))) {
                    auto decoded = stun::decode(d->bytes);
                    auto* m = std::get_if<stun::Message>(&decoded);
                    if (!m || m->cls != stun::Class::success || !f.pending.erase(m->transaction))
                        continue;
                    ++answered;
                    send_one(f, *target);
                }
            }
            for (auto it = f.pending.begin(); it != f.pending.end();) {
                if (now - it->second > std::chrono::milliseconds(200)) {
                    it = f.pending.erase(it);
                    ++lost;
                    send_one(f, *target);
                } else {
                    ++it;
                }
            }
        }
    }
    const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
    const nlohmann::json out = {
        {"target", target->str()},
        {"answered", answered},
        {"lost", lost},
        {"seconds", seconds},
        {"bindings_per_s", static_cast<uint64_t>(static_cast<double>(answered) / seconds)}};
    fmt::print("{}\n", out.dump());
    return answered > 0 ? 0 : 1;
}
}  // namespace

int main(int argc, char** argv) {
    return testbed::guarded_main("testbed-stun-load", argc, argv, run);
}
