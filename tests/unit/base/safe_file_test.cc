// What the testbed creates as root in shared places is never written
// through a path someone planted: new folders from mkdtemp, new files with
// O_EXCL|O_NOFOLLOW, reports only over a regular file of the same user.

#include "base/safe_file.h"

#include <doctest/doctest.h>
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
    check_folder_root(root);  // made, 0700
    CHECK((fs::status(root).permissions() & fs::perms::all) == fs::perms(0700));
    const std::string a = make_unique_folder(root, "testbed-x");
    const std::string b = make_unique_folder(root, "testbed-x");
    CHECK(a != b);
    CHECK((fs::status(a).permissions() & fs::perms::all) == fs::perms(0700));
    fs::create_directory_symlink(root, dir.path / "link");
    CHECK_THROWS_WITH(check_folder_root((dir.path / "link").string()),
                      doctest::Contains("a symbolic link"));
    if (::geteuid() == 0) {
        // Someone else's folder that others may write to, without the sticky bit.
        const fs::path open_folder = dir.path / "open";
        fs::create_directory(open_folder);
        REQUIRE(::chown(open_folder.c_str(), 65534, 65534) == 0);
        fs::permissions(open_folder, fs::perms(0777));
        CHECK_THROWS_WITH(check_folder_root(open_folder.string()),
                          doctest::Contains("others may write to it"));
        fs::permissions(open_folder, fs::perms(01777));  // as /tmp: fine
        CHECK_NOTHROW(check_folder_root(open_folder.string()));
    }
}
