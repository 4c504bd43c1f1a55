#pragma once
/// STUN messages (RFC 8489): encoding and decoding as a pure library. The
/// decoder accepts any byte string without crashing (there is a fuzzer for
/// it) and says why it rejects one.

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <variant>
#include <vector>

#include "base/ipv4.h"

namespace testbed::stun {

inline constexpr uint32_t kMagicCookie = 0x2112A442;
inline constexpr size_t kHeaderSize = 20;
/// Largest message the programs accept or send (bounded memory). Room for
/// RFC 5780's PADDING test (coturn's stunclient pads a request with 1500
/// bytes), and no more.
inline constexpr size_t kMaxMessageSize = 1600;

enum class Class : uint8_t { request = 0, indication = 1, success = 2, error = 3 };

namespace method {
inline constexpr uint16_t binding = 0x001;
}

namespace attr {
inline constexpr uint16_t mapped_address = 0x0001;
inline constexpr uint16_t change_request = 0x0003;
inline constexpr uint16_t error_code = 0x0009;
inline constexpr uint16_t unknown_attributes = 0x000A;
inline constexpr uint16_t padding = 0x0026;        ///< RFC 5780 §7.6
inline constexpr uint16_t response_port = 0x0027;  ///< RFC 5780 §7.5
inline constexpr uint16_t xor_mapped_address = 0x0020;
inline constexpr uint16_t software = 0x8022;
inline constexpr uint16_t fingerprint = 0x8028;
inline constexpr uint16_t response_origin = 0x802B;
inline constexpr uint16_t other_address = 0x802C;
}  // namespace attr

/// An IPv4 transport address.
struct Endpoint {
    Ipv4 ip;
    uint16_t port = 0;

    /// Parses "a.b.c.d:port".
    static std::optional<Endpoint> parse(const std::string& text);
    std::string str() const;
    auto operator<=>(const Endpoint&) const =
        default;  // NOLINT(modernize-use-nullptr): a clang-tidy false positive on defaulted <=>
};

using TransactionId = std::array<uint8_t, 12>;

struct Attribute {
    uint16_t type = 0;
    std::vector<uint8_t> value;
};

struct Message {
    uint16_t method = method::binding;
    Class cls = Class::request;
    TransactionId transaction{};
    std::vector<Attribute> attributes;

    /// The first attribute of a type, if present.
    const Attribute* find(uint16_t type) const;
    /// XOR-MAPPED-ADDRESS, falling back to MAPPED-ADDRESS.
    std::optional<Endpoint> mapped() const;

    void add(uint16_t type, std::vector<uint8_t> value);
    void add_address(uint16_t type, const Endpoint& e);  ///< plain address attributes
    void add_xor_address(uint16_t type, const Endpoint& e);
    void add_software(const std::string& text);
    /// CHANGE-REQUEST (RFC 5780 §7.2).
    void add_change_request(bool change_ip, bool change_port);
    /// ERROR-CODE (RFC 8489 §14.8), e.g. 420 "Unknown Attribute".
    void add_error(int code, const std::string& reason);
    /// The CHANGE-REQUEST flags, if the attribute is present and well formed.
    struct Change {
        bool ip = false;
        bool port = false;
    };
    std::optional<Change> change_request() const;
    /// The ERROR-CODE number, if present.
    std::optional<int> error_code() const;
};

/// A fresh random transaction id.
TransactionId new_transaction_id();

/// Wire bytes; with FINGERPRINT (RFC 8489 §14.7) last when `fingerprint`.
std::vector<uint8_t> encode(const Message& m, bool fingerprint = true);

/// A decoded message, or the reason the bytes are not a valid one.
using DecodeResult = std::variant<Message, std::string>;
DecodeResult decode(std::span<const uint8_t> bytes);

/// Address attribute values (plain or XOR'd) to endpoints; nullopt if malformed.
std::optional<Endpoint> decode_address(const std::vector<uint8_t>& value);
std::optional<Endpoint> decode_xor_address(const std::vector<uint8_t>& value);

/// CRC-32 (ISO 3309), as FINGERPRINT uses it.
uint32_t crc32(std::span<const uint8_t> bytes);

}  // namespace testbed::stun
