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

TEST_CASE("a duration option names the option and the text it refused") {
    CHECK(duration_option("2s", "--for").count() == 2000);
    CHECK_THROWS_WITH(duration_option("2", "--for"),
                      "--for: expected a duration such as 5s, got '2'");
}
