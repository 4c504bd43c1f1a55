#include "run/ready.h"

#include <doctest/doctest.h>

using namespace testbed;

TEST_CASE("port readiness reads the /proc/net tables") {
    const std::string udp =
        "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  "
        "timeout inode ref pointer drops\n"
        "  1: 00000000:0D96 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 "
        "1 2 0 0\n";
    CHECK(table_has_port(udp, false, 3478));
    CHECK_FALSE(table_has_port(udp, false, 3479));
    const std::string tcp =
        "  sl  local_address rem_address   st\n"
        "   0: 0100007F:1F90 00000000:0000 0A\n"
        "   1: 0100007F:1F91 0100007F:9C40 01\n";
    CHECK(table_has_port(tcp, true, 8080));
    CHECK_FALSE(table_has_port(tcp, true, 8081));  // established, not listening
}
