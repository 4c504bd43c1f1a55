#include "programs/net/route.h"

#include <arpa/inet.h>

#include <charconv>
#include <sstream>
#include <string>

#include "base/file.h"

namespace testbed::programs {
namespace {

/// /proc/net/route is small: a line per route.
constexpr size_t kMaxRouteTable = 1 << 20;
constexpr unsigned kRouteUp = 0x1;
constexpr unsigned kRouteGateway = 0x2;

std::optional<uint32_t> hex_field(const std::string& text) {
    uint32_t value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value, 16);
    if (ec != std::errc{} || end != text.data() + text.size()) return std::nullopt;
    return value;
}

}  // namespace

std::optional<Ipv4> default_gateway_in(std::string_view proc_net_route) {
    std::istringstream in{std::string(proc_net_route)};
    std::string line;
    std::getline(in, line);  // the header
    while (std::getline(in, line)) {
        std::istringstream fields(line);
        std::string iface, destination, gateway, flags;
        if (!(fields >> iface >> destination >> gateway >> flags)) continue;
        const auto dst = hex_field(destination);
        const auto via = hex_field(gateway);
        const auto f = hex_field(flags);
        if (!dst || !via || !f || *dst != 0) continue;
        if ((*f & (kRouteUp | kRouteGateway)) != (kRouteUp | kRouteGateway)) continue;
        // The kernel prints the address in network byte order as a host number.
        return Ipv4{ntohl(*via)};
    }
    return std::nullopt;
}

std::optional<Ipv4> default_gateway() {
    std::string why;
    const auto text = read_regular_file("/proc/net/route", kMaxRouteTable, &why);
    if (!text) return std::nullopt;
    return default_gateway_in(*text);
}

}  // namespace testbed::programs
