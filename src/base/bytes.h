#pragma once
/// Sizes as written in topology files: "64MiB", "512KiB", "1GiB", "4096".

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace testbed {

/// A whole number of bytes, optionally with B, KiB, MiB or GiB; nullopt on
/// anything else or past `max`.
std::optional<size_t> parse_bytes(std::string_view text, size_t max);

/// "64 MiB", "1500 bytes": the largest unit that divides the size.
std::string format_bytes(size_t bytes);

}  // namespace testbed
