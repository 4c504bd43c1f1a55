// UTF-8 validity (base/utf8.h): what YAML accepts as text and JSON can carry.

#include "base/utf8.h"

#include <doctest/doctest.h>

#include <string>

using namespace testbed;

TEST_CASE("utf8: well-formed text passes, the first bad byte is found") {
    CHECK_FALSE(first_invalid_utf8("plain ascii"));
    CHECK_FALSE(
        first_invalid_utf8("NAT \xc3\x97 NAT \xe2\x86\x92 \xf0\x9f\x99\x82"));  // × → 🙂
    CHECK(first_invalid_utf8("ab\xb0") == 2U);            // a lone continuation byte
    CHECK(first_invalid_utf8("a\xc0\x80") == 1U);         // overlong NUL
    CHECK(first_invalid_utf8("a\xe0\x80\xaf") == 1U);     // overlong '/'
    CHECK(first_invalid_utf8("\xed\xa0\x80") == 0U);      // a surrogate
    CHECK(first_invalid_utf8("\xf4\x90\x80\x80") == 0U);  // past U+10FFFF
    CHECK(first_invalid_utf8("\xf5\x80\x80\x80") == 0U);
    CHECK(first_invalid_utf8("ok\xe2\x86") == 2U);  // cut short
    CHECK(first_invalid_utf8(std::string("a\0b", 3)) == std::nullopt);
}

TEST_CASE("utf8: positions are 1-based lines and byte columns") {
    const std::string text = "one\ntwo\nth\xffree";
    const auto bad = first_invalid_utf8(text);
    REQUIRE(bad);
    const TextPosition p = position_of(text, *bad);
    CHECK(p.line == 3);
    CHECK(p.column == 3);
}
