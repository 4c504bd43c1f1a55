// The presets' figures: what docs/link-conditions.md lists with sources.

#include "model/link_preset.h"

#include <doctest/doctest.h>

using namespace testbed;

TEST_CASE("link presets: each one's round trip, rates and loss as documented") {
    struct Expected {
        const char* name;
        int round_trip_ms;
        const char* up;
        const char* down;
    };
    const Expected expected[] = {
        {"dsl", 30, "delay 15ms, jitter 2ms, rate 1mbit", "delay 15ms, jitter 2ms, rate 16mbit"},
        {"cable", 16, "delay 8ms, jitter 3ms, rate 10mbit", "delay 8ms, jitter 3ms, rate 100mbit"},
        {"lte", 50, "delay 25ms, jitter 10ms, loss 0.5%, rate 10mbit",
         "delay 25ms, jitter 10ms, loss 0.5%, rate 30mbit"},
        {"satellite", 600, "delay 300ms, jitter 20ms, loss 0.5%, rate 3mbit",
         "delay 300ms, jitter 20ms, loss 0.5%, rate 25mbit"},
        {"lossy-wifi", 6, "delay 3ms, jitter 3ms, loss 2%, rate 50mbit",
         "delay 3ms, jitter 3ms, loss 2%, rate 50mbit"},
    };
    REQUIRE(link_presets().size() == std::size(expected));
    for (const auto& e : expected) {
        const LinkPreset* p = find_link_preset(e.name);
        REQUIRE(p);
        CHECK(p->up.describe() == e.up);
        CHECK(p->down.describe() == e.down);
        CHECK((*p->up.delay + *p->down.delay).count() == e.round_trip_ms);
    }
    CHECK(find_link_preset("lossy-wifi")->symmetric());
    CHECK_FALSE(find_link_preset("dsl")->symmetric());
    CHECK(find_link_preset("fiber") == nullptr);
    CHECK(link_preset_names() == "dsl, cable, lte, satellite, lossy-wifi");
}
