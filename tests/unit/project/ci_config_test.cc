// The CI configuration users copy (ci/github/*.yml), the project's own CI
// entry (.ci/run) and the Vagrant box must call the commands the README
// documents, and one install script: these tests read the files themselves.

#include <doctest/doctest.h>
#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <fstream>
#include <regex>
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
    script = std::regex_replace(script, std::regex("\\\\\n\\s*"), " ");
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
                std::smatch sub;
                REQUIRE(std::regex_search(cmd, sub, std::regex("^\\./testbed (\\w+)")));
                CHECK(readme.find("testbed " + sub[1].str()) != std::string::npos);
                std::smatch option;
                for (std::string rest = cmd;
                     std::regex_search(rest, option, std::regex("--[a-z-]+"));
                     rest = option.suffix()) {
                    CHECK_MESSAGE(readme.find("`" + option.str()) != std::string::npos,
                                  option.str() << " is not in the README");
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
