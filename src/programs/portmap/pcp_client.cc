// PCP (RFC 6887) through pcp.h's MAP messages: one connected UDP socket to
// the default gateway's port 5351, so an ICMP port unreachable (no PCP
// server) ends the wait at once instead of running out the clock.

#include <fmt/core.h>
#include <poll.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>
#include <random>

#include "base/fd.h"
#include "programs/net/route.h"
#include "programs/net/sockaddr.h"
#include "programs/portmap/clients.h"
#include "programs/portmap/pcp.h"

namespace testbed::programs::portmap {
namespace {

using Clock = std::chrono::steady_clock;
/// RFC 6887 §8.1.1 starts at 3 s; a lab's gateway answers in microseconds,
/// so the first retry comes sooner and the caller's wait bounds the rest.
constexpr auto kFirstRetry = std::chrono::milliseconds(250);
/// The lifetime of the survey's short-lived mapping (removed at once).
constexpr uint32_t kSurveyLifetime = 120;

pcp::Nonce random_nonce() {
    std::random_device random;
    pcp::Nonce nonce{};
    for (auto& b : nonce) b = static_cast<uint8_t>(random());
    return nonce;
}

class PcpClient final : public GatewayClient {
  public:
    Protocol protocol() const override { return Protocol::pcp; }

    Reply<Ipv4> external_address(Duration wait) override {
        // PCP has no "external address" opcode: a MAP says it, so map this
        // client's own socket port for a moment and remove the mapping again.
        auto socket = open();
        if (auto* why = std::get_if<std::string>(&socket)) return *why;
        const uint16_t port = socket_name(std::get<Fd>(socket).get()).port;
        pcp::MapRequest r = request(Transport::udp, port, kSurveyLifetime);
        auto answer = transact(std::get<Fd>(socket), r, wait);
        if (auto* why = std::get_if<std::string>(&answer)) return *why;
        r.lifetime_s = 0;
        (void)transact(std::get<Fd>(socket), r, wait);
        return std::get<pcp::MapResponse>(answer).external;
    }

    Reply<Lease> map(Transport transport, uint16_t internal_port, uint32_t lifetime_s,
                     Duration wait) override {
        auto socket = open();
        if (auto* why = std::get_if<std::string>(&socket)) return *why;
        // A renewal repeats the nonce (RFC 6887 §11.2.1): same mapping.
        if (!mapped_ || mapped_->internal_port != internal_port)
            mapped_ = request(transport, internal_port, lifetime_s);
        mapped_->lifetime_s = lifetime_s;
        auto answer = transact(std::get<Fd>(socket), *mapped_, wait);
        if (auto* why = std::get_if<std::string>(&answer)) return *why;
        const auto& a = std::get<pcp::MapResponse>(answer);
        mapped_->suggested_port = a.external_port;
        return Lease{Protocol::pcp, {a.external, a.external_port}, a.lifetime_s};
    }

    void unmap() override {
        if (!mapped_) return;
        auto socket = open();
        if (auto* fd = std::get_if<Fd>(&socket)) {
            mapped_->lifetime_s = 0;
            (void)transact(*fd, *mapped_, std::chrono::milliseconds(500));
        }
        mapped_.reset();
    }

  private:
    pcp::MapRequest request(Transport transport, uint16_t port, uint32_t lifetime_s) const {
        pcp::MapRequest r;
        r.nonce = random_nonce();
        r.protocol = transport == Transport::tcp ? pcp::kProtocolTcp : pcp::kProtocolUdp;
        r.client = client_;
        r.internal_port = port;
        r.suggested_port = port;
        r.lifetime_s = lifetime_s;
        return r;
    }

    /// A UDP socket connected to the gateway's PCP port; sets client_ to the
    /// address the gateway sees (the request must name it, §8.1).
    std::variant<Fd, std::string> open() {
        const auto gateway = default_gateway();
        if (!gateway) return std::string("no default gateway to ask");
        server_ = {*gateway, pcp::kServerPort};
        Fd fd(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
        const sockaddr_in sa = to_sockaddr(server_);
        if (!fd.valid() ||
            ::connect(fd.get(), reinterpret_cast<const sockaddr*>(&sa), sizeof sa) != 0)
            return fmt::format("connect to {}: {}", server_.str(), std::strerror(errno));
        client_ = socket_name(fd.get()).ip;
        return fd;
    }

    std::variant<pcp::MapResponse, std::string> transact(const Fd& fd, pcp::MapRequest r,
                                                         Duration wait) {
        r.client = client_;
        const auto bytes = pcp::encode(r);
        const auto deadline = Clock::now() + wait;
        auto retry = std::chrono::duration_cast<std::chrono::milliseconds>(kFirstRetry);
        while (Clock::now() < deadline) {
            if (::send(fd.get(), bytes.data(), bytes.size(), 0) < 0 && errno == ECONNREFUSED)
                return refused();
            const auto until = std::min(Clock::now() + retry, deadline);
            retry *= 2;
            while (Clock::now() < until) {
                if (auto reply = receive(fd, until, r)) return *reply;
            }
        }
        return fmt::format("no PCP answer from {} within {}", server_.str(), format_duration(wait));
    }

    /// One answer to `r` before `until`: the response, or why it is no mapping.
    std::optional<std::variant<pcp::MapResponse, std::string>> receive(const Fd& fd,
                                                                       Clock::time_point until,
                                                                       const pcp::MapRequest& r) {
        const auto left =
            std::chrono::duration_cast<std::chrono::milliseconds>(until - Clock::now());
        pollfd p{fd.get(), POLLIN, 0};
        if (::poll(&p, 1, static_cast<int>(std::max<int64_t>(left.count(), 0))) <= 0)
            return std::nullopt;
        uint8_t buffer[1100];  // RFC 6887 §7: at most 1100 bytes
        const ssize_t n = ::recv(fd.get(), buffer, sizeof buffer, MSG_DONTWAIT);
        if (n < 0) return errno == ECONNREFUSED ? std::optional(refused()) : std::nullopt;
        auto decoded = pcp::decode({buffer, static_cast<size_t>(n)});
        if (!decoded) return std::nullopt;
        if (std::holds_alternative<pcp::NatPmpOnly>(*decoded))
            return fmt::format("{} answers in NAT-PMP (version 0): it does not speak PCP",
                               server_.str());
        const auto& a = std::get<pcp::MapResponse>(*decoded);
        if (a.nonce != r.nonce || a.internal_port != r.internal_port) return std::nullopt;
        if (a.result != 0)
            return fmt::format("{} refused the mapping: {}", server_.str(),
                               pcp::result_name(a.result));
        return a;
    }

    std::string refused() const {
        return fmt::format("no PCP server at {} (port unreachable)", server_.str());
    }

    stun::Endpoint server_;
    Ipv4 client_;
    std::optional<pcp::MapRequest> mapped_;
};

}  // namespace

std::unique_ptr<GatewayClient> make_pcp_client() {
    return std::make_unique<PcpClient>();
}

}  // namespace testbed::programs::portmap
