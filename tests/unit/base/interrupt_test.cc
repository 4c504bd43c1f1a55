// The forced stop's table of process groups: bounded, and full is an error
// the caller sees (a group it could not reach must not run at all).

#include "base/interrupt.h"

#include <doctest/doctest.h>

using namespace testbed;

TEST_CASE("interrupt: the process-group table refuses past its bound, and frees on unregister") {
    // Group ids far above any real pid: nothing is ever signalled here.
    constexpr int kBase = 1 << 29;
    size_t taken = 0;
    while (taken < kMaxEmergencyGroups && register_emergency_group(kBase + static_cast<int>(taken)))
        ++taken;
    // Other tests in this process may hold none: every slot was free.
    CHECK(taken == kMaxEmergencyGroups);
    CHECK_FALSE(register_emergency_group(kBase - 1));
    unregister_emergency_group(kBase);
    CHECK(register_emergency_group(kBase - 1));
    unregister_emergency_group(kBase - 1);
    for (size_t i = 1; i < taken; ++i) unregister_emergency_group(kBase + static_cast<int>(i));
    CHECK(register_emergency_group(kBase));
    unregister_emergency_group(kBase);
}
