#include "base/duration.h"

#include <doctest/doctest.h>

#include "base/ipv4.h"

using namespace testbed;

TEST_CASE("durations need a unit") {
    CHECK(parse_duration("15s")->count() == 15000);
    CHECK(parse_duration("500ms")->count() == 500);
    CHECK(parse_duration("1.5s")->count() == 1500);
    CHECK(parse_duration("2m")->count() == 120000);
    CHECK_FALSE(parse_duration("15"));
    CHECK_FALSE(parse_duration("s"));
    CHECK_FALSE(parse_duration("5 days"));
    CHECK(format_duration(std::chrono::milliseconds(15000)) == "15s");
    CHECK(format_duration(std::chrono::milliseconds(1500)) == "1500ms");
}
