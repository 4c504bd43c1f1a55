// Which public address a new mapping gets, as nftables expressions.

#include "plan/address_pool.h"

#include <doctest/doctest.h>

using namespace testbed;

namespace {

std::vector<Ipv4> addresses(std::initializer_list<const char*> texts) {
    std::vector<Ipv4> out;
    for (const char* t : texts) out.push_back(*Ipv4::parse(t));
    return out;
}

}  // namespace

TEST_CASE("address pool: one address is that address, whatever the pooling") {
    const AddressPool one(addresses({"203.0.113.10"}), addresses({"10.0.1.2"}), Pooling::arbitrary);
    CHECK_FALSE(one.pooled());
    CHECK_FALSE(one.arbitrary());
    CHECK(one.for_new_mapping() == "203.0.113.10");
    CHECK(one.for_inside(*Ipv4::parse("10.0.1.2")) == "203.0.113.10");
    CHECK(one.hairpin_exact());
    CHECK(one.match() == "203.0.113.10");
}

TEST_CASE("address pool: paired gives the i-th inside address the (i mod n)-th public one") {
    const AddressPool pool(addresses({"203.0.113.10", "203.0.113.11"}),
                           addresses({"10.0.1.2", "10.0.1.3", "10.0.1.4"}), Pooling::paired);
    CHECK(pool.for_new_mapping() ==
          "ip saddr map { 10.0.1.2 : 203.0.113.10, 10.0.1.3 : 203.0.113.11, 10.0.1.4 : "
          "203.0.113.10 }");
    CHECK(pool.for_inside(*Ipv4::parse("10.0.1.3")) == "203.0.113.11");
    CHECK(pool.for_inside(*Ipv4::parse("10.9.9.9")) == "203.0.113.10");
    CHECK_FALSE(pool.arbitrary());
    CHECK(pool.hairpin_exact());
    CHECK(pool.hairpin_source() == pool.for_new_mapping());
    CHECK(pool.match() == "{ 203.0.113.10, 203.0.113.11 }");
    // No inside address known: every mapping leaves from the first.
    CHECK(AddressPool(addresses({"203.0.113.10", "203.0.113.11"}), {}, Pooling::paired)
              .for_new_mapping() == "203.0.113.10");
}

TEST_CASE("address pool: arbitrary takes the next address for every new connection") {
    const AddressPool pool(addresses({"203.0.113.10", "203.0.113.11"}), addresses({"10.0.1.2"}),
                           Pooling::arbitrary);
    CHECK(pool.for_new_mapping() == "numgen inc mod 2 map { 0 : 203.0.113.10, 1 : 203.0.113.11 }");
    CHECK(pool.for_inside(*Ipv4::parse("10.0.1.2")) == pool.for_new_mapping());
    CHECK(pool.arbitrary());
    CHECK_FALSE(pool.hairpin_exact());
    CHECK(pool.hairpin_source() == "203.0.113.10");
}
