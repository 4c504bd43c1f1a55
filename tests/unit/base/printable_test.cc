// Control bytes from outside never reach the terminal raw.

#include "base/printable.h"

#include <doctest/doctest.h>

using namespace testbed;

TEST_CASE("printable: control bytes are escaped, printable text and UTF-8 kept") {
    CHECK(printable("alice") == "alice");
    CHECK(printable("caf\xc3\xa9") == "caf\xc3\xa9");
    CHECK(printable("\x1b]0;owned\x07\x1b[2J") == "\\e]0;owned\\x07\\e[2J");
    CHECK(printable("a\nb\tc\rd\x7f") == "a\\nb\\tc\\rd\\x7f");
    CHECK(printable("\xc2\x9b"
                    "2J") == "\\u009b2J");       // C1 CSI in UTF-8
    CHECK(printable("C:\\new") == "C:\\\\new");  // no false escape
    CHECK(printable("a\\b") == "a\\b");
}

TEST_CASE("printable: newlines and tabs may stay in a multi-line message") {
    CHECK(printable("one\ntwo\t\x1b[2J", Keep::newlines) == "one\ntwo\t\\e[2J");
}
