// ${name} templates: which names a text uses, and filling them in.

#include "model/template.h"

#include <doctest/doctest.h>

using namespace testbed;

TEST_CASE("substitute and variables_in") {
    CHECK(variables_in("a ${x} b ${y-z}") == std::vector<std::string>{"x", "y-z"});
    CHECK(substitute("${x}/${y}/${x}", {{"x", "1"}}) == "1/${y}/1");
    CHECK(substitute("no vars", {}) == "no vars");
    CHECK(substitute("${unclosed", {{"unclosed", "x"}}) == "${unclosed");
}
