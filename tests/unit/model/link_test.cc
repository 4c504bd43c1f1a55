#include "model/link.h"

#include <doctest/doctest.h>

using namespace testbed;

TEST_CASE("link: percentages, rates, and what a direction says of itself") {
    CHECK(parse_percent("1%") == 1.0);
    CHECK(parse_percent("0.5%") == 0.5);
    CHECK(parse_percent("100%") == 100.0);
    CHECK_FALSE(parse_percent("120%"));
    CHECK_FALSE(parse_percent("-1%"));
    CHECK_FALSE(parse_percent("1"));
    CHECK_FALSE(parse_percent("%"));
    CHECK_FALSE(parse_percent("1.5.2%"));

    CHECK(parse_rate("10mbit") == 10'000'000u);
    CHECK(parse_rate("512kbit") == 512'000u);
    CHECK(parse_rate("1gbit") == 1'000'000'000u);
    CHECK(parse_rate("9600bit") == 9600u);
    CHECK_FALSE(parse_rate("0mbit"));
    CHECK_FALSE(parse_rate("1.5mbit"));
    CHECK_FALSE(parse_rate("10"));
    CHECK_FALSE(parse_rate("10mbps"));
    CHECK_FALSE(parse_rate("mbit"));
    CHECK_FALSE(parse_rate("99999999999999999999gbit"));
    CHECK(format_rate(10'000'000) == "10mbit");
    CHECK(format_rate(1'500'000) == "1500kbit");
    CHECK(format_rate(9600) == "9600bit");

    LinkConditions c;
    CHECK(c.empty());
    c.delay = std::chrono::milliseconds(20);
    c.loss = 1.5;
    c.rate = 10'000'000;
    CHECK_FALSE(c.empty());
    CHECK(c.describe() == "delay 20ms, loss 1.5%, rate 10mbit");
}
