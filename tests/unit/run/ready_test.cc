#include "run/ready.h"

#include <doctest/doctest.h>
#include <stdlib.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

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

TEST_CASE("ready: the stdout watch sees text as it is appended, across writes") {
    std::string path = (std::filesystem::temp_directory_path() / "ready-test-XXXXXX").string();
    const int fd = ::mkstemp(path.data());
    REQUIRE(fd >= 0);
    ::close(fd);
    OutputWatch watch(path, "server listening on [0-9]+");
    CHECK_FALSE(watch.matched());
    std::ofstream(path, std::ios::app) << "starting\nserver list";
    CHECK_FALSE(watch.matched());
    std::ofstream(path, std::ios::app) << "ening on 3478\n";
    CHECK(watch.matched());
    CHECK(watch.matched());  // stays matched
    std::filesystem::remove(path);
}

TEST_CASE("ready: a stdout watch on a file not there yet waits for it") {
    const auto path = std::filesystem::temp_directory_path() / "ready-test-absent.stdout";
    std::filesystem::remove(path);
    OutputWatch watch(path.string(), "up");
    CHECK_FALSE(watch.matched());
    std::ofstream(path) << "up\n";
    CHECK(watch.matched());
    std::filesystem::remove(path);
}
