// The inputs of every command: folders expand to their topology files, and
// a folder with none is an error (it validated as "ok" with no output).

#include "cli/inputs.h"

#include <doctest/doctest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>

using namespace testbed;

TEST_CASE("inputs: a folder gives its .yaml files sorted, an empty one is an error") {
    std::string p = (std::filesystem::temp_directory_path() / "inputs-test-XXXXXX").string();
    REQUIRE(::mkdtemp(p.data()) != nullptr);
    const std::filesystem::path dir = p;
    CHECK_FALSE(topology_files({dir.string()}));
    std::filesystem::create_directory(dir / "sub");
    std::ofstream(dir / "sub" / "b.yaml") << "x";
    std::ofstream(dir / "a.yml") << "x";
    std::ofstream(dir / "notes.txt") << "x";
    const auto files = topology_files({dir.string()});
    REQUIRE(files);
    REQUIRE(files->size() == 2);
    CHECK((*files)[0] == (dir / "a.yml").string());
    CHECK((*files)[1] == (dir / "sub" / "b.yaml").string());
    std::filesystem::remove_all(dir);
}
