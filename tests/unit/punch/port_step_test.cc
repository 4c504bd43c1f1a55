#include "punch/port_step.h"

#include <doctest/doctest.h>

#include <vector>

using namespace testbed::punch;

namespace {
std::optional<int32_t> step_of(std::vector<int> ports) {
    return sequential_step(ports);
}
}  // namespace

TEST_CASE("port step: evenly spaced ports are a sequence, in either direction") {
    CHECK(step_of({20004, 20005, 20006, 20007}) == 1);
    CHECK(step_of({20000, 20007, 20014}) == 7);
    CHECK(step_of({30000, 29998, 29996, 29994}) == -2);
    CHECK(step_of({20000, 21000, 22000}) == 1000);
}

TEST_CASE("port step: a port taken in between does not hide the sequence") {
    // CI once saw a sequential NAT called random: one of our mappings was
    // two ports past the one before.
    CHECK(step_of({20004, 20006, 20007, 20008}) == 1);
    CHECK(step_of({20004, 20005, 20008, 20009}) == 1);
}

TEST_CASE("port step: what is not a sequence") {
    CHECK_FALSE(step_of({34567, 1234, 50000, 40001}));   // random
    CHECK_FALSE(step_of({5000, 5000, 5000}));            // the same port
    CHECK_FALSE(step_of({20000, 20001, 20000}));         // back and forth
    CHECK_FALSE(step_of({20000, 20001, 20010}));         // a gap of nine steps
    CHECK_FALSE(step_of({20000, 22000, 24000}));         // steps beyond kMaxPortStep
    CHECK_FALSE(step_of({20000, 20002, 20004, 20005}));  // the step only once in three gaps
    CHECK_FALSE(step_of({20000, 20001}));                // too few to tell
}
