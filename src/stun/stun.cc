#include "stun/stun.h"

#include <fmt/core.h>
#include <sys/random.h>

#include <charconv>

#include "base/big_endian.h"
namespace testbed::stun {
namespace {

using big_endian::append16;
using big_endian::append32;
using big_endian::read16;
using big_endian::read32;

constexpr uint32_t kFingerprintXor = 0x5354554e;

/// RFC 8489 §5: the class bits C1 C0 sit at bits 8 and 4 of the type.
uint16_t message_type(uint16_t m, Class c) {
    const auto cls = static_cast<uint16_t>(c);
    return static_cast<uint16_t>((m & 0x000F) | ((m & 0x0070) << 1) | ((m & 0x0F80) << 2) |
                                 ((cls & 1) << 4) | ((cls & 2) << 7));
}

void split_type(uint16_t type, uint16_t& m, Class& c) {
    m = static_cast<uint16_t>((type & 0x000F) | ((type & 0x00E0) >> 1) | ((type & 0x3E00) >> 2));
    c = static_cast<Class>(((type >> 4) & 1) | ((type >> 7) & 2));
}

}  // namespace

std::optional<Endpoint> Endpoint::parse(const std::string& text) {
    const size_t colon = text.rfind(':');
    if (colon == std::string::npos) return std::nullopt;
    auto ip = Ipv4::parse(text.substr(0, colon));
    unsigned port = 0;
    const char* begin = text.data() + colon + 1;
    const char* end = text.data() + text.size();
    auto [p, ec] = std::from_chars(begin, end, port);
    if (!ip || ec != std::errc() || p != end || begin == end || port > 65535) return std::nullopt;
    return Endpoint{*ip, static_cast<uint16_t>(port)};
}

std::string Endpoint::str() const {
    return fmt::format("{}:{}", ip.str(), port);
}

const Attribute* Message::find(uint16_t type) const {
    for (const auto& a : attributes) {
        if (a.type == type) return &a;
    }
    return nullptr;
}

std::optional<Endpoint> Message::mapped() const {
    if (const Attribute* a = find(attr::xor_mapped_address)) return decode_xor_address(a->value);
    if (const Attribute* a = find(attr::mapped_address)) return decode_address(a->value);
    return std::nullopt;
}

void Message::add(uint16_t type, std::vector<uint8_t> value) {
    attributes.push_back({type, std::move(value)});
}

void Message::add_address(uint16_t type, const Endpoint& e) {
    std::vector<uint8_t> v{0, 0x01};
    append16(v, e.port);
    append32(v, e.ip.value);
    add(type, std::move(v));
}

void Message::add_xor_address(uint16_t type, const Endpoint& e) {
    std::vector<uint8_t> v{0, 0x01};
    append16(v, static_cast<uint16_t>(e.port ^ (kMagicCookie >> 16)));
    append32(v, e.ip.value ^ kMagicCookie);
    add(type, std::move(v));
}

void Message::add_software(const std::string& text) {
    add(attr::software, {text.begin(), text.end()});
}

void Message::add_change_request(bool change_ip, bool change_port) {
    const auto flags = static_cast<uint8_t>((change_ip ? 0x04 : 0) | (change_port ? 0x02 : 0));
    add(attr::change_request, {0, 0, 0, flags});
}

void Message::add_error(int code, const std::string& reason) {
    std::vector<uint8_t> v{0, 0, static_cast<uint8_t>(code / 100),
                           static_cast<uint8_t>(code % 100)};
    v.insert(v.end(), reason.begin(), reason.end());
    add(attr::error_code, std::move(v));
}

std::optional<Message::Change> Message::change_request() const {
    const Attribute* a = find(attr::change_request);
    if (!a || a->value.size() != 4) return std::nullopt;
    return Change{(a->value[3] & 0x04) != 0, (a->value[3] & 0x02) != 0};
}

std::optional<int> Message::error_code() const {
    const Attribute* a = find(attr::error_code);
    if (!a || a->value.size() < 4) return std::nullopt;
    return (a->value[2] & 0x07) * 100 + a->value[3];
}

TransactionId new_transaction_id() {
    TransactionId id{};
    if (getrandom(id.data(), id.size(), 0) != static_cast<ssize_t>(id.size())) {
        throw std::runtime_error("getrandom failed");
    }
    return id;
}

std::vector<uint8_t> encode(const Message& m, bool fingerprint) {
    std::vector<uint8_t> out;
    append16(out, message_type(m.method, m.cls));
    append16(out, 0);  // length, patched below
    append32(out, kMagicCookie);
    out.insert(out.end(), m.transaction.begin(), m.transaction.end());
    for (const auto& a : m.attributes) {
        append16(out, a.type);
        append16(out, static_cast<uint16_t>(a.value.size()));
        out.insert(out.end(), a.value.begin(), a.value.end());
        while (out.size() % 4 != 0) out.push_back(0);
    }
    auto set_length = [&](size_t body) {
        out[2] = static_cast<uint8_t>(body >> 8);
        out[3] = static_cast<uint8_t>(body);
    };
    if (fingerprint) {
        set_length(out.size() - kHeaderSize + 8);  // the length covers the fingerprint
        const uint32_t crc = crc32(out) ^ kFingerprintXor;
        append16(out, attr::fingerprint);
        append16(out, 4);
        append32(out, crc);
    }
    set_length(out.size() - kHeaderSize);
    return out;
}

DecodeResult decode(std::span<const uint8_t> b) {
    if (b.size() < kHeaderSize)
        return fmt::format("{} bytes: shorter than the 20-byte header", b.size());
    if (b.size() > kMaxMessageSize)
        return fmt::format("{} bytes: larger than {}", b.size(), kMaxMessageSize);
    const uint16_t type = read16(b, 0);
    if (type & 0xC000) return std::string("the first two bits are not zero");
    if (read32(b, 4) != kMagicCookie) return std::string("no magic cookie");
    const size_t length = read16(b, 2);
    if (length % 4 != 0) return fmt::format("length {} is not a multiple of 4", length);
    if (length != b.size() - kHeaderSize) {
        return fmt::format("length field {} but {} bytes follow the header", length,
                           b.size() - kHeaderSize);
    }
    Message m;
    split_type(type, m.method, m.cls);
    std::copy(b.begin() + 8, b.begin() + 20, m.transaction.begin());
    size_t at = kHeaderSize;
    while (at < b.size()) {
        if (b.size() - at < 4) return fmt::format("truncated attribute header at byte {}", at);
        const uint16_t attr_type = read16(b, at);
        const size_t attr_len = read16(b, at + 2);
        const size_t padded = (attr_len + 3) & ~size_t{3};
        if (b.size() - at - 4 < padded) {
            return fmt::format("attribute 0x{:04x} of {} bytes runs past the end", attr_type,
                               attr_len);
        }
        if (attr_type == attr::fingerprint) {
            if (attr_len != 4 || at + 8 != b.size())
                return std::string("FINGERPRINT is not the last attribute");
            const uint32_t want = crc32(b.subspan(0, at)) ^ kFingerprintXor;
            if (read32(b, at + 4) != want) return std::string("FINGERPRINT does not match");
        }
        m.attributes.push_back({attr_type,
                                {b.begin() + static_cast<ptrdiff_t>(at + 4),
                                 b.begin() + static_cast<ptrdiff_t>(at + 4 + attr_len)}});
        at += 4 + padded;
    }
    return m;
}

std::optional<Endpoint> decode_address(const std::vector<uint8_t>& v) {
    if (v.size() != 8 || v[1] != 0x01) return std::nullopt;  // IPv4 only
    return Endpoint{Ipv4{read32(v, 4)}, read16(v, 2)};
}

std::optional<Endpoint> decode_xor_address(const std::vector<uint8_t>& v) {
    auto e = decode_address(v);
    if (!e) return std::nullopt;
    e->port = static_cast<uint16_t>(e->port ^ (kMagicCookie >> 16));
    e->ip.value ^= kMagicCookie;
    return e;
}

uint32_t crc32(std::span<const uint8_t> bytes) {
    static const std::array<uint32_t, 256> table = [] {
        std::array<uint32_t, 256> t{};
        for (uint32_t i = 0; i < 256; ++i) {
            uint32_t c = i;
            for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            t[i] = c;
        }
        return t;
    }();
    uint32_t crc = 0xFFFFFFFFu;
    for (uint8_t byte : bytes) crc = table[(crc ^ byte) & 0xFF] ^ (crc >> 8);
    return crc ^ 0xFFFFFFFFu;
}

}  // namespace testbed::stun
