// NAT-PMP (RFC 6886) through libnatpmp. The library keeps RFC 6886's
// schedule (250 ms, doubling, nine tries: over a minute); the caller's
// wait bounds it here.

#include <arpa/inet.h>
#include <fmt/core.h>
// libnatpmp declares strnatpmperr only when asked to (Debian's library has it).
#define ENABLE_STRNATPMPERR
#include <natpmp.h>
#include <sys/select.h>

#include <cerrno>
#include <cstring>

#include "programs/net/route.h"
#include "programs/portmap/clients.h"

namespace testbed::programs::portmap {
namespace {

using Clock = std::chrono::steady_clock;

/// A natpmp_t that is closed when it goes.
class Session {
  public:
    Session() = default;
    ~Session() {
        if (open_) closenatpmp(&p_);
    }
    Session(const Session&) = delete;
    Session& operator=(const Session&) = delete;

    /// Opens a socket to `gateway`'s NAT-PMP port; an error text on failure.
    std::optional<std::string> open(Ipv4 gateway) {
        const int rc = initnatpmp(&p_, 1, htonl(gateway.value));
        if (rc < 0) return fmt::format("initnatpmp: {}", strnatpmperr(rc));
        open_ = true;
        return std::nullopt;
    }
    natpmp_t* get() { return &p_; }

  private:
    natpmp_t p_{};
    bool open_ = false;
};

/// Waits for the answer to the request just sent, retrying on the library's
/// schedule until `deadline`.
Reply<natpmpresp_t> await(natpmp_t* p, Clock::time_point deadline, const std::string& gateway) {
    while (Clock::now() < deadline) {
        timeval retry{};
        getnatpmprequesttimeout(p, &retry);
        const auto left =
            std::chrono::duration_cast<std::chrono::microseconds>(deadline - Clock::now());
        const auto library =
            std::chrono::seconds(retry.tv_sec) + std::chrono::microseconds(retry.tv_usec);
        const auto wait = std::max(std::chrono::microseconds(0), std::min(left, library));
        timeval tv{static_cast<time_t>(wait.count() / 1000000),
                   static_cast<suseconds_t>(wait.count() % 1000000)};
        fd_set fds;
        FD_ZERO(&fds);
        FD_SET(p->s, &fds);
        (void)::select(p->s + 1, &fds, nullptr, nullptr, &tv);
        natpmpresp_t response{};
        const int rc = readnatpmpresponseorretry(p, &response);
        if (rc == NATPMP_TRYAGAIN) continue;
        if (rc >= 0) return response;
        if (rc == NATPMP_ERR_RECVFROM && errno == ECONNREFUSED)
            return fmt::format("no NAT-PMP server at {}:5351 (port unreachable)", gateway);
        return fmt::format("{}:5351: {}", gateway, strnatpmperr(rc));
    }
    return fmt::format("no NAT-PMP answer from {}:5351", gateway);
}

class NatPmpClient final : public GatewayClient {
  public:
    Protocol protocol() const override { return Protocol::nat_pmp; }

    Reply<Ipv4> external_address(Duration wait) override {
        Session s;
        const auto deadline = Clock::now() + wait;
        if (auto why = start(s)) return *why;
        return public_address(s, deadline);
    }

    Reply<Lease> map(Transport transport, uint16_t internal_port, uint32_t lifetime_s,
                     Duration wait) override {
        Session s;
        const auto deadline = Clock::now() + wait;
        if (auto why = start(s)) return *why;
        auto address = public_address(s, deadline);
        if (auto* why = std::get_if<std::string>(&address)) return *why;
        const int protocol =
            transport == Transport::tcp ? NATPMP_PROTOCOL_TCP : NATPMP_PROTOCOL_UDP;
        const uint16_t suggested = mapped_ ? mapped_->external : internal_port;
        const int rc =
            sendnewportmappingrequest(s.get(), protocol, internal_port, suggested, lifetime_s);
        if (rc < 0) return fmt::format("{}:5351: {}", gateway_, strnatpmperr(rc));
        auto answer = await(s.get(), deadline, gateway_);
        if (auto* why = std::get_if<std::string>(&answer)) return *why;
        const auto& m = std::get<natpmpresp_t>(answer).pnu.newportmapping;
        mapped_ = Mapped{protocol, internal_port, m.mappedpublicport};
        return Lease{Protocol::nat_pmp, {std::get<Ipv4>(address), m.mappedpublicport}, m.lifetime};
    }

    void unmap() override {
        if (!mapped_) return;
        Session s;
        if (!start(s) &&
            sendnewportmappingrequest(s.get(), mapped_->protocol, mapped_->internal, 0, 0) >= 0)
            (void)await(s.get(), Clock::now() + std::chrono::milliseconds(500), gateway_);
        mapped_.reset();
    }

  private:
    struct Mapped {
        int protocol;
        uint16_t internal;
        uint16_t external;
    };

    std::optional<std::string> start(Session& s) {
        const auto gateway = default_gateway();
        if (!gateway) return std::string("no default gateway to ask");
        gateway_ = gateway->str();
        return s.open(*gateway);
    }

    Reply<Ipv4> public_address(Session& s, Clock::time_point deadline) {
        const int rc = sendpublicaddressrequest(s.get());
        if (rc < 0) return fmt::format("{}:5351: {}", gateway_, strnatpmperr(rc));
        auto answer = await(s.get(), deadline, gateway_);
        if (auto* why = std::get_if<std::string>(&answer)) return *why;
        return Ipv4{ntohl(std::get<natpmpresp_t>(answer).pnu.publicaddress.addr.s_addr)};
    }

    std::string gateway_;
    std::optional<Mapped> mapped_;
};

}  // namespace

std::unique_ptr<GatewayClient> make_natpmp_client() {
    return std::make_unique<NatPmpClient>();
}

}  // namespace testbed::programs::portmap
