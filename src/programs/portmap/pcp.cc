#include "programs/portmap/pcp.h"

#include <fmt/core.h>

#include <algorithm>

#include "base/big_endian.h"
namespace testbed::programs::pcp {
namespace {

using big_endian::read16;
using big_endian::read32;
using big_endian::write16;
using big_endian::write32;

constexpr size_t kHeaderSize = 24;
constexpr uint8_t kResponseBit = 0x80;
/// An IPv4 address in a 16-byte PCP field: ::ffff:a.b.c.d (RFC 6887 §5).
constexpr size_t kMappedPrefix = 12;

void put_address(std::vector<uint8_t>& out, size_t at, Ipv4 address) {
    out[at + 10] = 0xff;
    out[at + 11] = 0xff;
    write32(out, at + kMappedPrefix, address.value);
}

/// The IPv4 address of an IPv4-mapped field; nullopt for an IPv6 one.
std::optional<Ipv4> get_address(std::span<const uint8_t> in, size_t at) {
    const auto field = in.subspan(at, 16);
    const bool zeros =
        std::all_of(field.begin(), field.begin() + 10, [](uint8_t b) { return b == 0; });
    if (!zeros || in[at + 10] != 0xff || in[at + 11] != 0xff) return std::nullopt;
    return Ipv4{read32(in, at + kMappedPrefix)};
}

}  // namespace

std::string result_name(uint8_t code) {
    static constexpr std::array<const char*, 14> kNames{
        "SUCCESS",          "UNSUPP_VERSION",        "NOT_AUTHORIZED",   "MALFORMED_REQUEST",
        "UNSUPP_OPCODE",    "UNSUPP_OPTION",         "MALFORMED_OPTION", "NETWORK_FAILURE",
        "NO_RESOURCES",     "UNSUPP_PROTOCOL",       "USER_EX_QUOTA",    "CANNOT_PROVIDE_EXTERNAL",
        "ADDRESS_MISMATCH", "EXCESSIVE_REMOTE_PEERS"};
    if (code < kNames.size()) return kNames[code];
    return fmt::format("result {}", code);
}

std::vector<uint8_t> encode(const MapRequest& r) {
    std::vector<uint8_t> out(kMapRequestSize, 0);
    out[0] = kVersion;
    out[1] = kOpcodeMap;  // R bit clear: a request
    write32(out, 4, r.lifetime_s);
    put_address(out, 8, r.client);
    std::copy(r.nonce.begin(), r.nonce.end(),
              out.begin() + static_cast<std::ptrdiff_t>(kHeaderSize));
    out[kHeaderSize + 12] = r.protocol;
    write16(out, kHeaderSize + 16, r.internal_port);
    write16(out, kHeaderSize + 18, r.suggested_port);
    put_address(out, kHeaderSize + 20, Ipv4{0});  // no suggested external address
    return out;
}

std::optional<std::variant<MapResponse, NatPmpOnly>> decode(std::span<const uint8_t> bytes) {
    // NAT-PMP's header: version 0, opcode 128 + the request's, a 16-bit result.
    if (bytes.size() >= 4 && bytes[0] == 0 && (bytes[1] & kResponseBit)) return NatPmpOnly{};
    if (bytes.size() < kMapRequestSize || bytes[0] != kVersion ||
        bytes[1] != (kResponseBit | kOpcodeMap))
        return std::nullopt;
    MapResponse r;
    r.result = bytes[3];
    r.lifetime_s = read32(bytes, 4);
    r.epoch_s = read32(bytes, 8);
    const auto nonce = bytes.subspan(kHeaderSize, r.nonce.size());
    std::copy(nonce.begin(), nonce.end(), r.nonce.begin());
    r.protocol = bytes[kHeaderSize + 12];
    r.internal_port = read16(bytes, kHeaderSize + 16);
    r.external_port = read16(bytes, kHeaderSize + 18);
    // An error answer may carry no address at all (RFC 6887 §8.3 copies the
    // request's suggestion, but not every server does).
    auto external = get_address(bytes, kHeaderSize + 20);
    if (!external && r.result == 0) return std::nullopt;
    r.external = external.value_or(Ipv4{0});
    return r;
}

}  // namespace testbed::programs::pcp
