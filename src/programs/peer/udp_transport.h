#pragma once
/// PeerCore over UDP: one socket for everything. It registers from it, and
/// sends to every candidate at once from it (the seed's §3.3); a message
/// from an endpoint no candidate named opens a peer-reflexive path.

#include <vector>

#include "programs/net/udp.h"
#include "programs/peer/connect.h"
#include "programs/peer/transport.h"

namespace testbed::programs {

class UdpTransport : public PeerTransport {
  public:
    explicit UdpTransport(const ConnectOptions& options);

    Pacing pacing() const override;
    const char* name() const override { return "udp"; }
    std::optional<std::string> start(PeerCore& core, punch::Time deadline) override;
    uint16_t local_port() const override { return port_; }
    int32_t port_step() const override { return port_step_; }
    void introduced(const std::vector<punch::Candidate>& candidates, bool passive) override;
    bool reversal_requested(punch::Time now) override;
    void send_server(const stun::Message& m) override;
    void send_path(punch::PathId path, std::span<const uint8_t> bytes) override;
    void close_path(punch::PathId) override {}
    bool migrates() const override { return true; }
    void forget_paths() override { paths_.clear(); }
    void pump(PeerCore& core, punch::Time until) override;
    punch::Time next_wake() const override { return punch::Time::max(); }
    std::pair<stun::Endpoint, stun::Endpoint> ends(punch::PathId path) const override;
    void describe(punch::PathId, nlohmann::json&) const override {}

  private:
    void measure_port_step(PeerCore& core);

    const ConnectOptions& o_;
    UdpSocket socket_;
    uint16_t port_;
    int32_t port_step_ = 0;
    PeerCore* core_ = nullptr;
    std::vector<stun::Endpoint> paths_;  ///< by PathId
};

}  // namespace testbed::programs
