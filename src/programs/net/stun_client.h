#pragma once
/// A STUN Binding transaction over UDP (RFC 8489 §6.2.1, with a fixed
/// 100 ms retransmission): what the probe, the peer's port-step measurement
/// and the tools ask a server about a socket's mapping.

#include <optional>

#include "base/duration.h"
#include "programs/net/udp.h"
#include "stun/stun.h"

namespace testbed::programs {

struct BindingAnswer {
    stun::Message message;
    double rtt_ms = 0;  ///< from the last (re)transmission to the answer
};

/// One Binding transaction from `socket` to `to`, with a CHANGE-REQUEST when
/// `change` is given: retransmits every 100 ms until a success answer with
/// the same transaction id comes, or nullopt after `wait`.
std::optional<BindingAnswer> binding_transaction(
    UdpSocket& socket, const stun::Endpoint& to, Duration wait,
    std::optional<stun::Message::Change> change = std::nullopt);

/// The mapped endpoint the server saw for `socket`, or nullopt after `wait`.
std::optional<stun::Endpoint> binding(UdpSocket& socket, const stun::Endpoint& server,
                                      Duration wait);

}  // namespace testbed::programs
