// Input files are read only when regular and small: a FIFO hung every
// command, /dev/zero read until bad_alloc.

#include "base/file.h"

#include <doctest/doctest.h>
#include <sys/stat.h>

#include <chrono>
#include <filesystem>
#include <fstream>

using namespace testbed;

namespace {

struct TempDir {
    std::filesystem::path path;
    TempDir() {
        std::string p = (std::filesystem::temp_directory_path() / "file-test-XXXXXX").string();
        REQUIRE(::mkdtemp(p.data()) != nullptr);
        path = p;
    }
    ~TempDir() { std::filesystem::remove_all(path); }
};

}  // namespace

TEST_CASE("file: a FIFO is refused at once, not waited on") {
    TempDir dir;
    const auto fifo = (dir.path / "topology.yaml").string();
    REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
    std::string why;
    const auto t0 = std::chrono::steady_clock::now();
    CHECK_FALSE(read_regular_file(fifo, 1024, &why));
    CHECK(std::chrono::steady_clock::now() - t0 < std::chrono::seconds(1));
    CHECK(why == "a FIFO, not a regular file");
}

TEST_CASE("file: devices and folders are refused, and so is a file over the bound") {
    std::string why;
    CHECK_FALSE(read_regular_file("/dev/zero", 1024, &why));
    CHECK(why == "a character device, not a regular file");
    TempDir dir;
    CHECK_FALSE(read_regular_file(dir.path.string(), 1024, &why));
    CHECK(why == "a folder, not a regular file");
    const auto big = (dir.path / "big.yaml").string();
    std::ofstream(big) << std::string(2048, 'a');
    CHECK_FALSE(read_regular_file(big, 1024, &why));
    CHECK(why == "2048 bytes; a file may have at most 1024");
    const auto text = read_regular_file(big, 4096, &why);
    REQUIRE(text);
    CHECK(text->size() == 2048);
    CHECK_FALSE(read_regular_file((dir.path / "absent").string(), 1024, &why));
    CHECK(why == "cannot open the file: No such file or directory");
}
