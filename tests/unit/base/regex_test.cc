// User-supplied regular expressions: what crashed or hung the testbed with
// std::regex (recursion per character, exponential backtracking) now takes
// time linear in the text; patterns RE2 cannot run in linear time are
// refused with a reason.

#include "base/regex.h"

#include <doctest/doctest.h>

#include <chrono>

#include "check/expect.h"

using namespace testbed;

namespace {

double ms_of(const auto& work) {
    const auto t0 = std::chrono::steady_clock::now();
    work();
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

TEST_CASE("regex: a class with a star over one 100 KB line matches, no stack overflow") {
    // std::regex recursed per character here: SIGSEGV of the whole testbed.
    const auto re = Regex::compile("[a-z ]*done");
    REQUIRE(re);
    const std::string line = std::string(100'000, 'a') + " done";
    CHECK(re->search(line));
    CHECK_FALSE(re->search(std::string(100'000, 'a')));
}

TEST_CASE("regex: nested quantifiers take linear time ((a+)+$ against 30 a's and a b)") {
    // std::regex: 56 s and doubling with each 'a'.
    const auto re = Regex::compile("(a+)+$");
    REQUIRE(re);
    const std::string text = std::string(30, 'a') + "b";
    bool matched = true;
    CHECK(ms_of([&] { matched = re->search(text); }) < 100.0);
    CHECK_FALSE(matched);  // "(a+)+" must end at the end: the b is in the way
    const auto anchored = Regex::compile("^(a+)+$");
    REQUIRE(anchored);
    CHECK(ms_of([&] { matched = anchored->search(std::string(5000, 'a') + "b"); }) < 100.0);
    CHECK_FALSE(matched);
}

TEST_CASE("regex: patterns that need backtracking or are too long are refused with a reason") {
    std::string why;
    CHECK_FALSE(Regex::compile("(a)\\1", &why));
    CHECK(why.find("escape") != std::string::npos);
    CHECK_FALSE(Regex::compile("x(?=y)", &why));
    CHECK_FALSE(Regex::compile("[unclosed", &why));
    CHECK(why.find("missing ]") != std::string::npos);
    CHECK_FALSE(Regex::compile(std::string(Regex::kMaxPattern + 1, 'a'), &why));
    CHECK(why.find("at most 4096") != std::string::npos);
}

TEST_CASE("regex: a stdout expectation over a huge line is checked, not crashed on") {
    Expectation e;
    e.process = "p";
    e.output.push_back({false, false, "[a-z ]*done", {}});
    const auto checks = check_expectation(
        e, outcome_from_text({0, {}}, std::string(100'000, 'x') + " done\n", "", e));
    REQUIRE(checks.size() == 1);
    CHECK(checks[0].passed);
}
