// testbed-impostor: a host that answers hole-punching messages while
// pretending to be another peer, for topologies/punch/impostor.yaml. It
// listens on --udp and --tcp ports; every punch message it gets is answered
// with a punch message for the same session, claiming to be --as, nominating
// the path and carrying a payload, but signed with its own key (it has no
// other). Peers must reject it. Prints "listening" when ready and, on
// SIGTERM, a JSON summary of what it answered.

#include <fmt/core.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>

#include <CLI/CLI.hpp>
#include <atomic>
#include <nlohmann/json.hpp>

#include "base/error.h"
#include "programs/net/tcp.h"
#include "programs/net/udp.h"
#include "punch/auth.h"
#include "punch/protocol.h"

namespace {

using namespace testbed;

std::atomic<bool> g_stop{false};

void on_signal(int) {
    g_stop = true;
}

class Impostor {
  public:
    Impostor(std::string as, uint16_t udp_port, uint16_t tcp_port)
        : as_(std::move(as)),
          udp_({Ipv4{0}, udp_port}),
          listener_(programs::tcp_listen({Ipv4{0}, tcp_port})) {}

    void serve() {
        fmt::print("listening\n");
        (void)std::fflush(stdout);
        while (!g_stop) {
            std::vector<pollfd> fds{{udp_.fd(), POLLIN, 0}, {listener_.get(), POLLIN, 0}};
            for (const auto& c : connections_) fds.push_back({c->fd(), POLLIN, 0});
            if (::poll(fds.data(), fds.size(), 200) <= 0) continue;
            if (fds[0].revents & POLLIN) udp_round();
            if (fds[1].revents & POLLIN) accept_one();
            for (size_t i = 2; i < fds.size(); ++i) {
                if (fds[i].revents) tcp_round(*connections_[i - 2]);
            }
        }
        fmt::print(
            "{}\n",
            nlohmann::json{{"answered_udp", udp_answers_}, {"answered_tcp", tcp_answers_}}.dump());
    }

  private:
    std::string as_;
    punch::Identity key_;
    programs::UdpSocket udp_;
    Fd listener_;
    std::vector<std::unique_ptr<programs::StunStream>> connections_;
    uint64_t udp_answers_ = 0;
    uint64_t tcp_answers_ = 0;

    std::optional<std::vector<uint8_t>> answer(const stun::Message& m) {
        auto p = punch::punch_from(m);
        if (!p) return std::nullopt;
        punch::Punch fake{p->session, as_,
                          punch::flag::verified | punch::flag::nominate | punch::flag::got_payload,
                          key_.prove(p->session, as_, p->from), "hello from " + as_};
        return stun::encode(punch::to_message(fake));
    }

    void udp_round() {
        while (auto d = udp_.receive(std::chrono::milliseconds(0))) {
            auto decoded = stun::decode(d->bytes);
            auto* m = std::get_if<stun::Message>(&decoded);
            if (!m) continue;
            if (auto bytes = answer(*m)) {
                udp_.send_to(d->from, *bytes);
                ++udp_answers_;
            }
        }
    }

    void accept_one() {
        Fd fd(::accept4(listener_.get(), nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK));
        if (fd.valid())
            connections_.push_back(std::make_unique<programs::StunStream>(std::move(fd)));
    }

    void tcp_round(programs::StunStream& c) {
        std::string why;
        for (const auto& m : c.read(why)) {
            if (auto bytes = answer(m)) {
                c.write(*bytes);
                ++tcp_answers_;
            }
        }
    }
};

}  // namespace

namespace {
int run(int argc, char** argv) {
    CLI::App app{"testbed-impostor: answers punch messages pretending to be another peer"};
    std::string as;
    uint16_t udp_port = 0;
    uint16_t tcp_port = 0;
    app.add_option("--as", as, "The peer id to claim")->required();
    app.add_option("--udp", udp_port, "UDP port to answer on")->required();
    app.add_option("--tcp", tcp_port, "TCP port to answer on")->required();
    CLI11_PARSE(app, argc, argv);
    struct sigaction sa {};
    sa.sa_handler = on_signal;
    sigaction(SIGTERM, &sa, nullptr);
    sigaction(SIGINT, &sa, nullptr);
    (void)signal(SIGPIPE, SIG_IGN);
    Impostor(as, udp_port, tcp_port).serve();
    return 0;
}
}  // namespace

int main(int argc, char** argv) {
    return testbed::guarded_main("testbed-impostor", argc, argv, run);
}
