#pragma once
/// What PeerCore needs from a transport: reach the server, reach the other
/// peer on numbered paths, wait for what arrives. UDP (udp_transport.h) and
/// TCP (tcp_transport.h) implement it; the decisions stay in the core.

#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "base/duration.h"
#include "punch/clock.h"
#include "punch/port_step.h"
#include "punch/protocol.h"
#include "punch/session.h"
#include "stun/stun.h"

namespace testbed::programs {

class PeerCore;

// The punching code's time and path names, as the peer's files use them.
using punch::Clock;
using punch::PathId;
using punch::Time;
using std::chrono::milliseconds;

/// The relay through the server, as a path id.
inline constexpr punch::PathId kRelayPath = static_cast<punch::PathId>(-1);

class PeerTransport {
  public:
    virtual ~PeerTransport() = default;

    /// How often the core repeats itself over this transport.
    struct Pacing {
        Duration register_retry;  ///< registration until answered
        Duration refresh;         ///< registration once answered
        Duration connect_retry;   ///< asking for the introduction
        Duration round;           ///< messages on every path (and the relay)
        Duration reversal;        ///< asking the other side to come to us
        bool reliable;            ///< a stream: one ping is enough, no linger for late pings
    };
    virtual Pacing pacing() const = 0;
    virtual const char* name() const = 0;  ///< "udp" or "tcp"

    /// Everything before registering (the server connection, the port-step
    /// measurement); an error text when the attempt cannot go on.
    virtual std::optional<std::string> start(PeerCore& core, punch::Time deadline) = 0;
    /// The local port the peer registers and punches from.
    virtual uint16_t local_port() const = 0;
    /// The NAT's sequential port step measured in start() (0: none or not asked).
    virtual int32_t port_step() const = 0;

    /// The introduction came, with the candidates in sending order; with
    /// `passive` (connection reversal) this side only waits to be reached.
    virtual void introduced(const std::vector<punch::Candidate>& candidates, bool passive) = 0;
    /// The other side asked for a reversal; true when the core should
    /// punch a round at once.
    virtual bool reversal_requested(punch::Time now) = 0;

    virtual void send_server(const stun::Message& m) = 0;
    /// Sends on a path (a closed or unknown one is a no-op).
    virtual void send_path(punch::PathId path, std::span<const uint8_t> bytes) = 0;
    /// A path whose sender failed its proof: it will not be used again.
    virtual void close_path(punch::PathId path) = 0;
    /// Whether a session can move to new paths after it completed (UDP:
    /// one socket, any endpoint; TCP holds connections it cannot remake).
    virtual bool migrates() const { return false; }
    /// Forgets every path to the other peer, for a fresh introduction
    /// (only where migrates()).
    virtual void forget_paths() {}

    /// Waits until `until` at most for one batch of events and hands them
    /// to the core; returns earlier when something arrived.
    virtual void pump(PeerCore& core, punch::Time until) = 0;
    /// The soonest time the transport itself wants to act (retries), or Time::max().
    virtual punch::Time next_wake() const = 0;

    /// This side's and the other side's end of a path, for the JSON.
    virtual std::pair<stun::Endpoint, stun::Endpoint> ends(punch::PathId path) const = 0;
    /// Transport-specific fields of the JSON for the chosen path.
    virtual void describe(punch::PathId path, nlohmann::json& out) const = 0;
    /// Fields of the JSON about the attempt, connected or failed (TCP: the technique).
    virtual void describe_attempt(nlohmann::json& /*out*/) const {}
    /// The other peer's Syn came through the server (the small-TTL TCP techniques).
    virtual void on_syn(const punch::Syn& /*syn*/) {}
};

/// The NAT's sequential step from mappings made one after the other, the
/// last from the punching socket (`own_port`): punch::sequential_step, or 0.
/// Logs what it found under `label`.
int32_t port_step_from(const std::string& label, std::span<const int> ports, uint16_t own_port);

/// How many fresh mappings come before the punching socket's when the step
/// is measured: with it, punch::kStepSamples.
inline constexpr int kFreshMappingsForStep = punch::kStepSamples - 1;

}  // namespace testbed::programs
