#include "base/ipv4.h"

#include <doctest/doctest.h>

#include "base/duration.h"

using namespace testbed;

TEST_CASE("IPv4 addresses parse and print") {
    CHECK(Ipv4::parse("203.0.113.1")->str() == "203.0.113.1");
    CHECK(Ipv4::parse("0.0.0.0")->value == 0);
    CHECK_FALSE(Ipv4::parse("256.0.0.1"));
    CHECK_FALSE(Ipv4::parse("1.2.3"));
    CHECK_FALSE(Ipv4::parse("1.2.3.4.5"));
    CHECK_FALSE(Ipv4::parse("1.2.3.x"));
    CHECK_FALSE(Ipv4::parse(""));
    CHECK_FALSE(Ipv4::parse("1..2.3"));
}

TEST_CASE("subnets: parse, contain, overlap") {
    std::string why;
    auto s = Subnet::parse("10.0.1.0/24", &why);
    REQUIRE(s);
    CHECK(s->contains(*Ipv4::parse("10.0.1.77")));
    CHECK_FALSE(s->contains(*Ipv4::parse("10.0.2.1")));
    CHECK(s->first_host().str() == "10.0.1.1");
    CHECK(s->last_host().str() == "10.0.1.254");
    CHECK_FALSE(s->is_usable_host(*Ipv4::parse("10.0.1.0")));
    CHECK_FALSE(s->is_usable_host(*Ipv4::parse("10.0.1.255")));
    CHECK(s->overlaps(*Subnet::parse("10.0.0.0/16")));
    CHECK_FALSE(s->overlaps(*Subnet::parse("10.0.2.0/24")));
    CHECK_FALSE(Subnet::parse("10.0.1.1/24", &why));
    CHECK(why.find("did you mean 10.0.1.0/24") != std::string::npos);
    CHECK_FALSE(Subnet::parse("10.0.1.0/33", &why));
    CHECK_FALSE(Subnet::parse("10.0.1.0", &why));
}

TEST_CASE("special-purpose ranges: miniupnpd's list, each edge in and out") {
    const auto range_of = [](const char* text) {
        const auto r = special_purpose_range(*Ipv4::parse(text));
        return r ? std::string(r->subnet) : std::string("public");
    };
    CHECK(range_of("203.0.113.10") == "203.0.113.0/24");
    CHECK(range_of("203.0.114.0") == "public");
    CHECK(range_of("100.64.0.1") == "100.64.0.0/10");
    CHECK(range_of("100.127.255.255") == "100.64.0.0/10");
    CHECK(range_of("100.128.0.0") == "public");
    CHECK(range_of("198.19.255.255") == "198.18.0.0/15");
    CHECK(range_of("198.20.0.0") == "public");
    CHECK(range_of("172.31.0.1") == "172.16.0.0/12");
    CHECK(range_of("172.32.0.1") == "public");
    CHECK(range_of("255.255.255.255") == "240.0.0.0/4");
    CHECK(range_of("20.0.0.10") == "public");
    CHECK(range_of("8.8.8.8") == "public");
    CHECK(std::string(special_purpose_range(*Ipv4::parse("198.51.100.1"))->name) ==
          "documentation, TEST-NET-2 (RFC 5737)");
}
