// The default gateway from /proc/net/route's text.

#include "programs/net/route.h"

#include <doctest/doctest.h>

using namespace testbed;
using namespace testbed::programs;

TEST_CASE("route: the default gateway is the first up route to 0.0.0.0 with a gateway") {
    const char* table =
        "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n"
        "home-a\t0001000A\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0\n"
        "home-a\t00000000\t0101000A\t0003\t0\t0\t0\t00000000\t0\t0\t0\n";
    REQUIRE(default_gateway_in(table));
    CHECK(default_gateway_in(table)->str() == "10.0.1.1");
    const char* without =
        "Iface\tDestination\tGateway \tFlags\n"
        "home-a\t0001000A\t00000000\t0001\n"
        "home-a\t00000000\t0101000A\t0002\n";  // down
    CHECK_FALSE(default_gateway_in(without));
    CHECK_FALSE(default_gateway_in("Iface\tDestination\n"));
    CHECK_FALSE(default_gateway_in("Iface\nx\tnothex\t0101000A\t0003\n"));
}
