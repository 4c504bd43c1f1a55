#pragma once
/// The Port Control Protocol's MAP opcode (RFC 6887 §7.1, §11.1), pure:
/// the request a client sends to its gateway's port 5351 and the response
/// it reads back. Debian has no PCP client library, so the peer writes the
/// 60-byte request itself; only IPv4 (in the IPv4-mapped form the RFC asks
/// for) and only what a client needs to map one port.

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <variant>
#include <vector>

#include "base/ipv4.h"

namespace testbed::programs::pcp {

inline constexpr uint16_t kServerPort = 5351;
inline constexpr uint8_t kVersion = 2;
inline constexpr uint8_t kOpcodeMap = 1;
inline constexpr size_t kMapRequestSize = 60;  ///< 24-byte header + 36-byte MAP payload
inline constexpr uint8_t kProtocolTcp = 6;
inline constexpr uint8_t kProtocolUdp = 17;

using Nonce = std::array<uint8_t, 12>;

/// RFC 6887 §7.4's result codes.
enum class Result : uint8_t {
    success = 0,
    unsupported_version = 1,
    not_authorized = 2,
    malformed_request = 3,
    unsupported_opcode = 4,
    unsupported_option = 5,
    malformed_option = 6,
    network_failure = 7,
    no_resources = 8,
    unsupported_protocol = 9,
    user_exceeded_quota = 10,
    cannot_provide_external = 11,
    address_mismatch = 12,
    excessive_remote_peers = 13,
};
/// The RFC's name of a result code ("NOT_AUTHORIZED"), or "result N".
std::string result_name(uint8_t code);

struct MapRequest {
    Nonce nonce{};  ///< random per mapping; a refresh repeats it
    uint8_t protocol = kProtocolUdp;
    Ipv4 client;  ///< the source address the gateway will see
    uint16_t internal_port = 0;
    uint16_t suggested_port = 0;  ///< 0: any
    uint32_t lifetime_s = 0;      ///< 0 deletes the mapping
};
std::vector<uint8_t> encode(const MapRequest& r);

struct MapResponse {
    uint8_t result = 0;
    uint32_t lifetime_s = 0;
    uint32_t epoch_s = 0;
    Nonce nonce{};
    uint8_t protocol = 0;
    uint16_t internal_port = 0;
    uint16_t external_port = 0;
    Ipv4 external;
};
/// A NAT-PMP gateway's answer to a PCP request (version 0, RFC 6887 §9):
/// the gateway speaks NAT-PMP only.
struct NatPmpOnly {};

/// A MAP response, or NatPmpOnly, or nullopt for anything else (short,
/// another version or opcode, not a response, an IPv6 external address).
std::optional<std::variant<MapResponse, NatPmpOnly>> decode(std::span<const uint8_t> bytes);

}  // namespace testbed::programs::pcp
