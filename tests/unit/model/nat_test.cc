// The NAT presets and the named profiles: what each name stands for.

#include "model/nat.h"

#include <doctest/doctest.h>

using namespace testbed;
using std::chrono::seconds;

TEST_CASE("NAT profiles: each name gives its documented defaults") {
    const auto home = nat_preset("home-router");
    REQUIRE(home);
    CHECK(home->mapping == Behaviour::endpoint_independent);
    CHECK(home->ports == PortAssignment::preserve);
    CHECK(home->udp_timeout == Duration(seconds(120)));
    CHECK(home->udp_timeout_initial == Duration(seconds(30)));
    const auto pf = nat_preset("firewall-random-ports");
    REQUIRE(pf);
    CHECK(pf->mapping == Behaviour::address_and_port_dependent);
    CHECK(pf->ports == PortAssignment::random);
    CHECK(pf->port_low == 50001);
    CHECK(pf->port_high == 65535);
    const auto cloud = nat_preset("cloud-nat");
    REQUIRE(cloud);
    CHECK(cloud->mapping == Behaviour::endpoint_independent);
    CHECK(cloud->port_block == 64);
    CHECK(cloud->udp_timeout == Duration(seconds(30)));
    const auto carrier = nat_preset("mobile-carrier");
    REQUIRE(carrier);
    CHECK(carrier->port_block == 2048);
    CHECK(carrier->pooling == Pooling::paired);
    // Listed after the RFC 3489 names, in the order the README gives them.
    const auto& names = nat_preset_names();
    REQUIRE(names.size() == 13);
    CHECK(names[9] == "home-router");
    CHECK(names[12] == "mobile-carrier");
    CHECK_FALSE(nat_preset("carrier"));
}
