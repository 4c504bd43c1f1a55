#pragma once
/// Network byte order in byte buffers: the wire formats the programs write
/// by hand (STUN, PCP, TCP headers) read and write their 16- and 32-bit
/// fields through these.

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace testbed::big_endian {

inline uint16_t read16(std::span<const uint8_t> in, size_t at) {
    return static_cast<uint16_t>((in[at] << 8) | in[at + 1]);
}

inline uint32_t read32(std::span<const uint8_t> in, size_t at) {
    return (static_cast<uint32_t>(read16(in, at)) << 16) | read16(in, at + 2);
}

inline void write16(std::span<uint8_t> out, size_t at, uint16_t v) {
    out[at] = static_cast<uint8_t>(v >> 8);
    out[at + 1] = static_cast<uint8_t>(v);
}

inline void write32(std::span<uint8_t> out, size_t at, uint32_t v) {
    write16(out, at, static_cast<uint16_t>(v >> 16));
    write16(out, at + 2, static_cast<uint16_t>(v));
}

inline void append16(std::vector<uint8_t>& out, uint16_t v) {
    out.push_back(static_cast<uint8_t>(v >> 8));
    out.push_back(static_cast<uint8_t>(v));
}

inline void append32(std::vector<uint8_t>& out, uint32_t v) {
    append16(out, static_cast<uint16_t>(v >> 16));
    append16(out, static_cast<uint16_t>(v));
}

}  // namespace testbed::big_endian
