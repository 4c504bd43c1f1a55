#pragma once
/// PeerCore over TCP (the seed's §4, "P2P-NAT"): one local port for
/// everything. The connection to the server is made from it; then the peer
/// listens on it and connects from it to every candidate at once
/// (SO_REUSEADDR and SO_REUSEPORT), retrying after a reset or an
/// unreachable. Crossing SYNs make a simultaneous open, which the kernel
/// completes into one connection. Every connection that comes up, outgoing
/// or accepted, is a path; the relay goes over the server connection.
/// With `--technique` other than p2pnat, a TcpTechniqueRun makes the
/// connection instead of the simultaneous connects (tcp_technique.h).

#include <map>
#include <memory>
#include <vector>

#include "base/fd.h"
#include "programs/net/tcp.h"
#include "programs/peer/connect.h"
#include "programs/peer/tcp_technique.h"
#include "programs/peer/transport.h"

namespace testbed::programs {

class TcpTransport : public PeerTransport {
  public:
    explicit TcpTransport(const ConnectOptions& options) : o_(options) {}

    Pacing pacing() const override;
    const char* name() const override { return "tcp"; }
    std::optional<std::string> start(PeerCore& core, punch::Time deadline) override;
    uint16_t local_port() const override { return server_->local().port; }
    int32_t port_step() const override { return port_step_; }
    void introduced(const std::vector<punch::Candidate>& candidates, bool passive) override;
    bool reversal_requested(punch::Time now) override;
    void send_server(const stun::Message& m) override;
    void send_path(punch::PathId path, std::span<const uint8_t> bytes) override;
    void close_path(punch::PathId path) override;
    void pump(PeerCore& core, punch::Time until) override;
    punch::Time next_wake() const override;
    std::pair<stun::Endpoint, stun::Endpoint> ends(punch::PathId path) const override;
    void describe(punch::PathId path, nlohmann::json& out) const override;
    void describe_attempt(nlohmann::json& out) const override;
    void on_syn(const punch::Syn& syn) override;

  private:
    /// An outgoing connect in flight to one candidate.
    struct Attempt {
        Fd fd;
        size_t candidate;
    };
    /// A connection that came up: one path.
    struct Path {
        std::unique_ptr<StunStream> stream;
        bool accepted;
        bool open = true;
    };

    bool connect_server(punch::Time deadline);
    /// The technique's run, with its SYN's TTL found; an error text when
    /// it cannot run here (no CAP_NET_RAW, no hop count).
    std::optional<std::string> start_technique(punch::Time deadline);
    /// Sends what the technique has for the server, takes its connection.
    void collect_technique();
    std::optional<uint16_t> mapped_port_of_fresh_connection(punch::Time deadline);
    void start_attempts(punch::Time now);
    void finish_attempt(size_t index);
    void accept_one();
    void accept_path(Fd fd);
    void add_path(Fd fd, punch::PathKind kind, bool accepted);
    void read_path(punch::PathId id);
    void read_server();

    const ConnectOptions& o_;
    PeerCore* core_ = nullptr;
    std::unique_ptr<StunStream> server_;
    Fd listener_;
    int32_t port_step_ = 0;
    std::vector<punch::Candidate> candidates_;
    std::vector<punch::Time>
        retry_at_;  ///< by candidate; Time::max() while connecting or connected
    std::vector<Attempt> attempts_;
    std::map<punch::PathId, Path> paths_;
    bool passive_ = false;   ///< connection reversal: the public side only listens
    std::vector<Fd> early_;  ///< accepted before the introduction came
    std::unique_ptr<TcpTechniqueRun> technique_;  ///< null for p2pnat
    std::optional<punch::HopCount> hops_;         ///< measured for a small-TTL technique
};

}  // namespace testbed::programs
