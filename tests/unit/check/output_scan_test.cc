// The stdout scan: what the checks need, in memory that does not grow with
// the output (a program printing `yes` for a while cost gigabytes).

#include "check/output_scan.h"

#include <doctest/doctest.h>

using namespace testbed;

TEST_CASE("output scan: the last JSON object line wins, split across chunks") {
    OutputScan scan;
    const std::string chunks[] = {"starting\n{\"result\": \"re", "lay\"}\nnoise\n{\"result\"",
                                  ": \"direct\", \"n\": 3}\n{broken\n"};
    for (const auto& c : chunks) scan.feed(c);
    scan.finish();
    REQUIRE(scan.last_json());
    CHECK((*scan.last_json())["result"] == "direct");
    CHECK(scan.bytes() == chunks[0].size() + chunks[1].size() + chunks[2].size());
}

TEST_CASE("output scan: a last line without a newline counts") {
    OutputScan scan;
    scan.feed("{\"a\": 1}");
    CHECK_FALSE(scan.last_json());
    scan.finish();
    CHECK(scan.last_json());
}

TEST_CASE("output scan: patterns match per line, memory stays bounded over 64 MiB") {
    OutputScan scan({*Regex::compile("^y$"), *Regex::compile("needle")});
    std::string lines;
    for (int i = 0; i < (1 << 15); ++i) lines += "y\n";
    for (int i = 0; i < 1024; ++i) scan.feed(lines);
    CHECK(scan.matched(0));
    CHECK_FALSE(scan.matched(1));
    scan.feed("hay needle hay\n");
    CHECK(scan.matched(1));
    CHECK(scan.bytes() == 64 * 1024 * 1024 + 15);
    CHECK(scan.tail().size() == OutputScan::kTail + 3);
}

TEST_CASE("output scan: JSON nested 200,000 deep is not parsed, and nothing crashes") {
    OutputScan scan;
    scan.feed("{\"ok\": true}\n");
    scan.feed(std::string(200'000, '[') + std::string(200'000, ']') + "\n");
    scan.feed("{\"a\":" + std::string(100'000, '[') + std::string(100'000, ']') + "}\n");
    scan.finish();
    REQUIRE(scan.last_json());
    CHECK(scan.last_json()->contains("ok"));
    CHECK(json_depth(R"({"a": "[[[[", "b": [1, {"c": []}]})") ==
          4);  // brackets in strings do not count
}

TEST_CASE("output scan: a line over the bound is matched on its start, never taken as JSON") {
    OutputScan scan({*Regex::compile("^start"), *Regex::compile("end$")});
    scan.feed("{\"x\": \"start" + std::string(OutputScan::kMaxLine, 'a') + "\"}\n");
    scan.finish();
    CHECK_FALSE(scan.last_json());
    CHECK_FALSE(scan.matched(0));  // the line begins with {, not start
    OutputScan plain({*Regex::compile("^start")});
    plain.feed("start" + std::string(2 * OutputScan::kMaxLine, 'a') + "end\n");
    plain.finish();
    CHECK(plain.matched(0));
}

TEST_CASE("output scan: a pattern may span lines within the first MiB, at the end") {
    OutputScan scan({*Regex::compile(R"(response 1[\s\S]*origin: 1\.2\.3\.4)")});
    scan.feed("response 1\n");
    scan.feed("origin: 1.2.3.4\n");
    CHECK_FALSE(scan.matched(0));  // no single line holds it: not while streaming
    scan.finish();
    CHECK(scan.matched(0));
}
