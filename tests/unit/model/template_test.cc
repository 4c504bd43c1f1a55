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

TEST_CASE("template: $${ is a literal ${, kept until the last filling-in") {
    const std::map<std::string, std::string> values{{"x", "1"}, {"#s", "no"}};
    const std::string text = "a=${x} n=$${#s} v=$${HOME}";
    CHECK(variables_in(text) == std::vector<std::string>{"x"});
    CHECK(substitute(text, values) == "a=1 n=$${#s} v=$${HOME}");
    CHECK(substitute(text, values, Escapes::resolve) == "a=1 n=${#s} v=${HOME}");
}
