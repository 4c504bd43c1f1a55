// A program's output through the pump: logs capped (a `yes` for 3 s left a
// 1.2 GB log and 2.4 GB of testbed memory), stdout watched line by line as
// it streams, the cut said in the log and in the result.

#include "run/output_pump.h"

#include <doctest/doctest.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include <filesystem>
#include <thread>

#include "base/file.h"

using namespace testbed;

namespace {

struct Pipe {
    Fd read, write;
    Pipe() {
        int fds[2];
        REQUIRE(::pipe2(fds, O_CLOEXEC) == 0);
        read = Fd(fds[0]);
        write = Fd(fds[1]);
    }
};

struct Logs {
    std::filesystem::path dir;
    Logs() {
        std::string p = (std::filesystem::temp_directory_path() / "pump-test-XXXXXX").string();
        REQUIRE(::mkdtemp(p.data()) != nullptr);
        dir = p;
    }
    ~Logs() { std::filesystem::remove_all(dir); }
    Fd create(const char* name) const {
        return Fd(::open((dir / name).c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
    }
};

}  // namespace

TEST_CASE("output pump: past its limit a log is cut, says so, and the rest is only counted") {
    Logs logs;
    Pipe out, err;
    OutputPump pump(std::move(out.read), std::move(err.read), logs.create("p.stdout"),
                    logs.create("p.stderr"), 1 << 20, {Watch{"^y$", false}});
    std::thread writer([fd = out.write.get()] {
        std::string yes;
        for (int i = 0; i < (1 << 15); ++i) yes += "y\n";
        for (int i = 0; i < 256; ++i) CHECK(write_all(fd, yes));  // 16 MiB
        CHECK(write_all(fd, "{\"result\": \"ok\"}\n"));
    });
    writer.join();
    out.write.reset();
    err.write.reset();
    const ProcessOutput o = pump.finish(std::chrono::seconds(5));
    CHECK(std::filesystem::file_size(logs.dir / "p.stdout") < (1 << 20) + 200);
    std::string why;
    const std::string text =
        read_regular_file((logs.dir / "p.stdout").string(), 2 << 20, &why).value();
    CHECK(text.find("[testbed: this log is cut at its limit of 1 MiB") != std::string::npos);
    CHECK(o.note == "stdout cut at 1 MiB: 15728657 bytes more were dropped");
    REQUIRE(o.matched.size() == 1);
    CHECK(o.matched[0]);
    // The last JSON line came after the cut: the checks still see it.
    REQUIRE(o.last_json);
    CHECK((*o.last_json)["result"] == "ok");
}

TEST_CASE("output pump: a watched pattern is seen while the program still runs") {
    Logs logs;
    Pipe out, err;
    OutputPump pump(
        std::move(out.read), std::move(err.read), logs.create("p.stdout"), logs.create("p.stderr"),
        1 << 20,
        {Watch{"listening on [0-9]+", false}, Watch{"warn", true}, Watch{"listening", true}});
    CHECK_FALSE(pump.matched(0));
    REQUIRE(write_all(out.write.get(), "starting\nlistening on 3478\n"));
    for (int i = 0; i < 500 && !pump.matched(0); ++i)  // polling a thread, with a bound
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
    CHECK(pump.matched(0));
    CHECK_FALSE(pump.matched(1));
    REQUIRE(write_all(err.write.get(), "a warning\n"));
    for (int i = 0; i < 500 && !pump.matched(1); ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
    CHECK(pump.matched(1));  // stderr is watched too, separately
    out.write.reset();
    err.write.reset();
    const ProcessOutput o = pump.finish(std::chrono::seconds(5));
    CHECK(o.note.empty());
    CHECK(o.matched == std::vector<bool>{true, true, false});  // stdout's line is not stderr's
    CHECK(o.first_matches[1] == "a warning");
    CHECK(o.err_tail == "a warning\n");
    CHECK(std::filesystem::file_size(logs.dir / "p.stderr") == 10);
}

TEST_CASE("output pump: a descendant holding the pipe open is not waited on forever") {
    Logs logs;
    Pipe out, err;
    OutputPump pump(std::move(out.read), std::move(err.read), logs.create("p.stdout"),
                    logs.create("p.stderr"), 1 << 20, {});
    REQUIRE(write_all(out.write.get(), "still here\n"));
    const auto t0 = std::chrono::steady_clock::now();
    const ProcessOutput o = pump.finish(std::chrono::milliseconds(100));
    CHECK(std::chrono::steady_clock::now() - t0 < std::chrono::seconds(2));
    CHECK(o.tail == "still here\n");
}
