// What the testbed creates as root in shared places is never written
// through a path someone planted: new folders from mkdtemp, new files with
// O_EXCL|O_NOFOLLOW, reports only over a regular file of the same user.

#include "base/safe_file.h"

#include <doctest/doctest.h>
#include <fmt/core.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "base/error.h"
#include "base/file.h"

using namespace testbed;
namespace fs = std::filesystem;

namespace {

struct TempDir {
    fs::path path;
    TempDir() {
        std::string p = (fs::temp_directory_path() / "safe-file-test-XXXXXX").string();
        REQUIRE(::mkdtemp(p.data()) != nullptr);
        path = p;
    }
    ~TempDir() { fs::remove_all(path); }
};

std::string contents(const fs::path& p) {
    std::string why;
    return read_regular_file(p.string(), 1 << 20, &why).value_or("<" + why + ">");
}

}  // namespace

TEST_CASE("safe files: a new file is never an existing path, a link least of all") {
    TempDir dir;
    const fs::path victim = dir.path / "victim";
    std::ofstream(victim) << "precious";
    fs::create_symlink(victim, dir.path / "p.stdout");
    CHECK_THROWS_AS(create_new_file((dir.path / "p.stdout").string()), SystemError);
    CHECK_THROWS_AS(create_new_file(victim.string()), SystemError);
    CHECK(contents(victim) == "precious");
    const Fd fd = create_new_file((dir.path / "fresh").string());
    struct stat st {};
    REQUIRE(::fstat(fd.get(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0600);
}

TEST_CASE("safe files: a report goes over a file of this user only, never through a link") {
    TempDir dir;
    const fs::path victim = dir.path / "victim";
    std::ofstream(victim) << "precious";
    fs::create_symlink(victim, dir.path / "report.xml");
    CHECK_THROWS(create_report_file((dir.path / "report.xml").string()));
    CHECK(contents(victim) == "precious");
    const fs::path mine = dir.path / "mine.xml";
    std::ofstream(mine) << "old report, longer than the new";
    fs::permissions(mine, fs::perms(0644));
    {
        const Fd fd = create_report_file(mine.string());
        REQUIRE(::write(fd.get(), "new", 3) == 3);
    }
    CHECK(contents(mine) == "new");
    CHECK((fs::status(mine).permissions() & fs::perms::all) == fs::perms(0600));
}

TEST_CASE("safe files: a report is 0600 unless asked, and asked only for read and write bits") {
    TempDir dir;
    const fs::path shared = dir.path / "shared.html";
    const mode_t old_mask = ::umask(022);
    { const Fd fd = create_report_file(shared.string(), *parse_file_mode("0644")); }
    ::umask(old_mask);
    CHECK((fs::status(shared).permissions() & fs::perms::all) == fs::perms(0644));
    CHECK(parse_file_mode("640") == 0640U);
    CHECK(parse_file_mode("0600") == 0600U);
    CHECK_FALSE(parse_file_mode("0755"));  // no execute bits
    CHECK_FALSE(parse_file_mode("4644"));  // no setuid
    CHECK_FALSE(parse_file_mode("0o644"));
    CHECK_FALSE(parse_file_mode("644 "));
    CHECK_FALSE(parse_file_mode(""));
    CHECK_FALSE(parse_file_mode("00644"));
}

TEST_CASE("safe files: run folders are new every time, below a root that is not a link") {
    TempDir dir;
    const std::string root = (dir.path / "logs").string();
    const std::string canonical = trusted_folder_root(root);  // made, 0700
    CHECK(canonical == fs::canonical(root).string());
    CHECK((fs::status(root).permissions() & fs::perms::all) == fs::perms(0700));
    const HeldFolder a = make_unique_folder(canonical, "testbed-x");
    const HeldFolder b = make_unique_folder(canonical, "testbed-x");
    CHECK(a.path != b.path);
    CHECK(a.fd.valid());
    CHECK(a.io() == fmt::format("/proc/self/fd/{}", a.fd.get()));
    CHECK((fs::status(a.path).permissions() & fs::perms::all) == fs::perms(0700));
    fs::create_directory_symlink(root, dir.path / "link");
    CHECK_THROWS_WITH(trusted_folder_root((dir.path / "link").string()),
                      doctest::Contains("a symbolic link"));
}

TEST_CASE("safe files: a log root that someone else could rename things in is refused") {
    if (::geteuid() != 0) return;  // needs chown
    TempDir dir;
    // Someone else's folder, even one only they may write to: they could
    // rename the run's folder away and plant a link in its place.
    const fs::path theirs = dir.path / "theirs";
    fs::create_directory(theirs);
    REQUIRE(::chown(theirs.c_str(), 65534, 65534) == 0);
    fs::permissions(theirs, fs::perms(0755));
    CHECK_THROWS_WITH(trusted_folder_root(theirs.string()),
                      doctest::Contains("belongs to uid 65534"));
    fs::permissions(theirs, fs::perms(01777));  // sticky, but its owner may still rename
    CHECK_THROWS_WITH(trusted_folder_root(theirs.string()),
                      doctest::Contains("belongs to uid 65534"));
    // A folder of ours below theirs: they may rename it, so it is refused too,
    // and a missing one is not even made.
    const fs::path below = theirs / "logs";
    CHECK_THROWS_WITH(trusted_folder_root(below.string()),
                      doctest::Contains("belongs to uid 65534"));
    CHECK_FALSE(fs::exists(below));
    // Root's folder that everybody may write to, without the sticky bit.
    const fs::path open_folder = dir.path / "open";
    fs::create_directory(open_folder);
    fs::permissions(open_folder, fs::perms(0777));
    CHECK_THROWS_WITH(trusted_folder_root(open_folder.string()),
                      doctest::Contains("no sticky bit"));
    fs::permissions(open_folder, fs::perms(01777));  // as /tmp: fine
    CHECK_NOTHROW(trusted_folder_root(open_folder.string()));
}
