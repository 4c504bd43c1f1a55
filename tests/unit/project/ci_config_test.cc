// The CI configuration users copy (ci/github/*.yml), the project's own CI
// entry (.ci/run) and the Vagrant box must call the commands the README
// documents, and one install script: these tests read the files themselves.

#include <doctest/doctest.h>
#include <re2/re2.h>
#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace {

const std::filesystem::path kSource = TESTBED_SOURCE_DIR;

std::string read(const std::filesystem::path& p) {
    std::ifstream in(p);
    REQUIRE_MESSAGE(in.good(), "cannot read " << p);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

/// Every `./testbed ...` command in a shell text, with line continuations
/// joined, and the text before it on its line.
std::vector<std::pair<std::string, std::string>> testbed_commands(std::string script) {
    RE2::GlobalReplace(&script, R"(\\\n\s*)", " ");
    std::vector<std::pair<std::string, std::string>> out;
    std::istringstream lines(script);
    for (std::string line; std::getline(lines, line);) {
        const auto at = line.find("./testbed ");
        if (at != std::string::npos) out.push_back({line.substr(0, at), line.substr(at)});
    }
    return out;
}

/// The `run:` scripts of every step of every job.
std::vector<std::string> run_scripts(const YAML::Node& workflow) {
    std::vector<std::string> out;
    for (const auto& job : workflow["jobs"]) {
        for (const auto& step : job.second["steps"]) {
            if (step["run"]) out.push_back(step["run"].as<std::string>());
        }
    }
    return out;
}

}  // namespace

TEST_CASE("ci/github workflows parse and use only the README's commands and options") {
    const std::string readme = read(kSource / "README.md");
    size_t workflows = 0;
    for (const auto& entry : std::filesystem::directory_iterator(kSource / "ci" / "github")) {
        if (entry.path().extension() != ".yml") continue;
        ++workflows;
        INFO(entry.path().string());
        const YAML::Node wf = YAML::LoadFile(entry.path().string());
        REQUIRE(wf["jobs"].IsMap());
        bool runs_the_tests = false;
        for (const auto& job : wf["jobs"]) {
            CHECK(job.second["runs-on"].as<std::string>().rfind("ubuntu-", 0) == 0);
        }
        for (const auto& script : run_scripts(wf)) {
            for (const auto& [before, cmd] : testbed_commands(script)) {
                INFO(cmd);
                // As the README says: as root, from the testbed's folder.
                CHECK(before.ends_with("sudo "));
                std::string command;
                REQUIRE(RE2::PartialMatch(cmd, R"(^\./testbed (\w+))", &command));
                CHECK(readme.find("testbed " + command) != std::string::npos);
                re2::StringPiece rest(cmd);
                for (std::string option; RE2::FindAndConsume(&rest, "(--[a-z-]+)", &option);) {
                    CHECK_MESSAGE(readme.find("`" + option) != std::string::npos,
                                  option << " is not in the README");
                }
                if (cmd == "./testbed test") runs_the_tests = true;
            }
        }
        CHECK_MESSAGE(runs_the_tests, "no step runs the README's test command");
    }
    CHECK(workflows >= 1);
}

TEST_CASE("README, .ci/run and the Vagrant box share one install script and one test command") {
    const std::string readme = read(kSource / "README.md");
    CHECK(readme.find("sudo ./testbed test ") != std::string::npos);
    const std::string ci = read(kSource / ".ci" / "run");
    CHECK(ci.find("./ci/install-deps.sh") != std::string::npos);
    CHECK(ci.find("./testbed test") != std::string::npos);
    const std::string vagrantfile = read(kSource / "vagrant" / "Vagrantfile");
    CHECK(vagrantfile.find("/testbed/ci/install-deps.sh") != std::string::npos);
    CHECK(vagrantfile.find("\"debian/bookworm64\"") != std::string::npos);
    // The checkout is mounted (or copied), never cloned from the network.
    CHECK(vagrantfile.find("git clone") == std::string::npos);
    CHECK(vagrantfile.find("synced_folder CHECKOUT, \"/testbed\"") != std::string::npos);
}

TEST_CASE("unit test names survive CTest discovery (no semicolon, which splits a name in two)") {
    // A split name is a CTest test whose filter matches no case: it would
    // run nothing and pass. Commas are escaped by doctest's discovery.
    for (const auto& entry :
         std::filesystem::recursive_directory_iterator(kSource / "tests/unit")) {
        if (entry.path().extension() != ".cc") continue;
        std::istringstream lines(read(entry.path()));
        for (std::string line; std::getline(lines, line);) {
            if (line.rfind("TEST_CASE(", 0) != 0) continue;
            INFO(entry.path().string() << ": " << line);
            CHECK(line.find(';') == std::string::npos);
        }
    }
}
