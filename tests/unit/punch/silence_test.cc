// When a held path's silence means it is lost.

#include "punch/silence.h"

#include <doctest/doctest.h>

using namespace testbed::punch;
using namespace std::chrono_literals;

namespace {

/// A path on which keepalive i (every 500 ms from t0) came when `came(i)`.
template <typename Came>
SilenceLimit path_of(int keepalives, Came came, bool lossy = false) {
    const Time t0{};
    SilenceLimit path(500ms, t0, lossy);
    for (int i = 0; i < keepalives; ++i)
        if (came(i)) path.heard(t0 + 500ms * i);
    return path;
}

}  // namespace

TEST_CASE("silence: a path that never lost a keepalive is lost after three intervals") {
    CHECK(path_of(0, [](int) { return true; }).limit() == 1500ms);
    const auto clean = path_of(20, [](int) { return true; });
    CHECK(clean.delivered() == doctest::Approx(1.0));
    CHECK(clean.limit() == 1500ms);
}

TEST_CASE("silence: a path that loses keepalives may be quiet as long as loss explains") {
    // Every other keepalive of 40 came (a relayed path at 30% loss per link):
    // eleven in a row are lost by chance less than once in a thousand.
    const auto half = path_of(40, [](int i) { return i % 2 == 0; });
    CHECK(half.delivered() == doctest::Approx(0.5).epsilon(0.05));
    CHECK(half.limit() >= 5000ms);
    CHECK(half.limit() <= 6500ms);
    // One lost in twenty: three in a row are still rare.
    const auto rare = path_of(40, [](int i) { return i % 20 != 7; });
    CHECK(rare.limit() == 1500ms);
    // One in four lost: longer.
    const auto quarter = path_of(40, [](int i) { return i % 4 != 1; });
    CHECK(quarter.limit() > 2000ms);
    CHECK(quarter.limit() < 5000ms);
    // One in five came: the limit stops at sixteen intervals.
    const auto poor = path_of(40, [](int i) { return i % 5 == 0; });
    CHECK(poor.limit() == 8000ms);
}

TEST_CASE("silence: few samples count for little") {
    // Loss while the path was found, and nothing counted yet: the most.
    CHECK(path_of(
              0, [](int) { return true; }, true)
              .limit() == 8000ms);
    // One of four lost: not yet a rate to trust.
    const auto early = path_of(4, [](int i) { return i != 1; });
    const auto later = path_of(40, [](int i) { return i % 4 != 1; });
    CHECK(early.limit() > later.limit());
}

TEST_CASE("silence: the silence itself does not count as loss") {
    const Time t0{};
    SilenceLimit path(1s, t0, false);
    for (int i = 0; i < 10; ++i) path.heard(t0 + 1s * i);
    // Nothing came since t0 + 9s; what counts is the record up to then.
    CHECK(path.delivered() == doctest::Approx(1.0));
    CHECK(path.limit() == 3s);
}
