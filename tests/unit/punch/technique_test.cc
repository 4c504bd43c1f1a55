// The techniques' pure parts (punch/technique.h): names, what each needs,
// the hop count a probe finds, STUNT #2's roles, a SYN-ACK's numbers.

#include "punch/technique.h"

#include <doctest/doctest.h>

#include <vector>

using namespace testbed::punch;

TEST_CASE("technique: every name parses back, unknown names do not") {
    for (const Technique t : all_techniques()) CHECK(technique_named(technique_name(t)) == t);
    CHECK(all_techniques().size() == 7);
    CHECK_FALSE(technique_named("stunt3"));
    CHECK_FALSE(technique_named("STUNT1"));
    CHECK(technique_names() ==
          "p2pnat, stunt1, stunt2, natblaster, stunt1-no-ttl, stunt2-no-ttl, natblaster-no-ttl");
}

TEST_CASE("technique: raw sockets where the seed's table says superuser") {
    // The seed's "Linux issues" column: STUNT #1 and NATBlaster need
    // superuser privileges (with or without TTL), STUNT #2 and P2P-NAT not.
    CHECK(needs_raw_sockets(Technique::stunt1));
    CHECK(needs_raw_sockets(Technique::natblaster));
    CHECK(needs_raw_sockets(Technique::stunt1_no_ttl));
    CHECK(needs_raw_sockets(Technique::natblaster_no_ttl));
    CHECK_FALSE(needs_raw_sockets(Technique::stunt2));
    CHECK_FALSE(needs_raw_sockets(Technique::stunt2_no_ttl));
    CHECK_FALSE(needs_raw_sockets(Technique::p2pnat));
    CHECK(traits(Technique::stunt1).server_spoofs);
    CHECK_FALSE(traits(Technique::natblaster).server_spoofs);
    CHECK(traits(Technique::natblaster).sends_raw);
    CHECK(traits(Technique::stunt2).one_side_listens);
    CHECK(traits(Technique::stunt2).small_ttl);
    CHECK_FALSE(traits(Technique::stunt2_no_ttl).small_ttl);
    // The no-TTL variants' first SYN must reach the other NAT before it sends.
    CHECK(traits(Technique::stunt1_no_ttl).takes_turns);
    CHECK(traits(Technique::natblaster_no_ttl).takes_turns);
    CHECK(traits(Technique::stunt2).takes_turns);
    CHECK_FALSE(traits(Technique::stunt1).takes_turns);
    CHECK_FALSE(traits(Technique::natblaster).takes_turns);
    CHECK_FALSE(traits(Technique::p2pnat).takes_turns);
}

TEST_CASE("technique: the side that goes first is the same peer seen from both sides") {
    CHECK(goes_first("alice", "bob"));
    CHECK_FALSE(goes_first("bob", "alice"));
}

TEST_CASE("technique: the hop count is the first TTL that reaches the own NAT") {
    std::vector<int> asked;
    // Two routers before the outermost NAT answer with time exceeded.
    auto behind_two = [&](int ttl) {
        asked.push_back(ttl);
        return ttl < 3 ? HopAnswer::expired : HopAnswer::reached;
    };
    auto found = find_hop_count(behind_two, 16);
    REQUIRE(found);
    CHECK(found->hops == 3);
    CHECK(found->ttl == 4);  // passes the NAT, dies at the next router
    CHECK(asked == std::vector<int>{1, 2, 3});

    // Routers that stay silent do not stop the search.
    auto silent_hop = [](int ttl) { return ttl == 1 ? HopAnswer::silent : HopAnswer::reached; };
    CHECK(find_hop_count(silent_hop, 16)->ttl == 3);

    // Nothing answers within the bound: no guess.
    asked.clear();
    auto never = [&](int ttl) {
        asked.push_back(ttl);
        return HopAnswer::silent;
    };
    CHECK_FALSE(find_hop_count(never, 4));
    CHECK(asked == std::vector<int>{1, 2, 3, 4});
}

TEST_CASE("technique: a SYN-ACK carries its sender's ISN and acknowledges the SYN's") {
    const auto n = syn_ack_numbers(1000, 5000);
    CHECK(n.seq == 1000);
    CHECK(n.ack == 5001);
    CHECK(syn_ack_numbers(1, 0xFFFFFFFF).ack == 0);  // modulo 2^32
}
