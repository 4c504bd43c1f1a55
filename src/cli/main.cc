// The `testbed` command: argument parsing only; the work is in core/commands.

#include <CLI/CLI.hpp>
#include <sstream>

#include "base/bytes.h"
#include "base/error.h"
#include "base/fd_limits.h"
#include "base/log.h"
#include "base/regex.h"
#include "base/safe_file.h"
#include "cli/commands.h"

namespace {
int run(int argc, char** argv) {
    using namespace testbed;
    CLI::App app{
        "A network-namespace testbed for NAT traversal: builds topologies of hosts, NAT routers "
        "and "
        "networks, runs hole punching programs in them, and checks the outcomes."};
    app.require_subcommand(1);
    bool verbose = false;
    app.add_flag("-v,--verbose", verbose, "Debug logs");

    std::vector<std::string> files;
    auto* validate =
        app.add_subcommand("validate", "Check topology files without creating anything");
    validate->add_option("files", files, "Topology files, or folders of them")
        ->required()
        ->check(CLI::ExistingPath);

    SuiteOptions suite;
    RunOptions& run_options = suite.run;
    std::string shard;
    std::string report_mode;
    auto* run = app.add_subcommand(
        "run",
        "Build each topology (each cell of a matrix), run its steps, check its expectations, "
        "tear it down");
    run->add_option("files", files, "Topology files, or folders of them (every .yaml below)")
        ->required()
        ->check(CLI::ExistingPath);
    run->add_option("--logs", run_options.log_root,
                    "Folder for the per-run log folders (default: $TMPDIR or /tmp)");
    run->add_flag("--keep-logs", run_options.keep_logs, "Keep the logs of passing runs too");
    run->add_flag("--capture", run_options.capture,
                  "Write a pcap per network into each run's log folder (kept), and a packet "
                  "ladder into the HTML report");
    std::string capture_limit = "64MiB";
    run->add_option("--capture-limit", capture_limit,
                    "The most each pcap file of --capture holds; frames past it are counted, "
                    "not written")
        ->capture_default_str();
    run->add_option("-j,--jobs", suite.jobs, "Scenarios at once, each in namespaces of its own")
        ->check(CLI::Range(1, 256))
        ->capture_default_str();
    run->add_option("--filter", suite.filter_text,
                    "Only the scenarios whose name matches this regex");
    run->add_option("--shard", shard, "K/N: only the K-th of N shares of the scenarios (CI)");
    run->add_option("--repeat", suite.repeat, "Run each scenario N times; report the pass rate")
        ->check(CLI::Range(1, 10000))
        ->capture_default_str();
    run->add_option("--junit", suite.junit_path, "Write a JUnit XML report here");
    run->add_option("--json", suite.json_path, "Write a JSON report here");
    run->add_option("--report", suite.html_path,
                    "Write a self-contained HTML report here (matrix grids, diagrams, steps, "
                    "expectations, logs)");
    run->add_option("--report-mode", report_mode,
                    "Permissions of the --junit, --json and --report files, octal, at most 0666 "
                    "(default 0600: they embed the programs' logs)");

    std::string file;
    auto* up = app.add_subcommand("up", "Build a topology and keep it (for exec, shell, down)");
    up->add_option("file", file, "Topology file")->required()->check(CLI::ExistingFile);

    std::string run_id;
    bool all = false;
    auto* down = app.add_subcommand("down", "Remove a topology kept by `up`");
    down->add_option("--run", run_id, "Run id (needed when several are kept)");
    down->add_flag("--all", all, "Remove every kept topology");

    auto* list = app.add_subcommand("list", "List the topologies kept by `up`");

    std::string node;
    std::vector<std::string> command;
    auto* exec = app.add_subcommand(
        "exec", "Run a command on a node of a kept topology: exec NODE -- CMD...");
    exec->add_option("node", node, "Host or router")->required();
    exec->add_option("command", command, "Command and arguments")->required();
    exec->add_option("--run", run_id, "Run id (needed when several are kept)");

    auto* shell = app.add_subcommand("shell", "Open a shell on a node of a kept topology");
    shell->add_option("node", node, "Host or router")->required();
    shell->add_option("--run", run_id, "Run id (needed when several are kept)");

    auto* clean = app.add_subcommand(
        "clean", "Remove whatever crashed runs left (named handles with the tb- prefix)");

    std::string svg;
    auto* graph =
        app.add_subcommand("graph", "Print a topology as Graphviz DOT (or write SVG with --svg)");
    graph->add_option("file", file, "Topology file")->required()->check(CLI::ExistingFile);
    graph->add_option("--svg", svg, "Write SVG here (needs Graphviz's dot)");

    std::string router;
    auto* rules = app.add_subcommand(
        "rules",
        "Print the nftables ruleset generated for a router (or, with traffic checks, a host)");
    rules->add_option("file", file, "Topology file")->required()->check(CLI::ExistingFile);
    rules->add_option("node", router, "Router or host name")->required();

    auto* doctor = app.add_subcommand(
        "doctor",
        "Check this machine: kernel features (probed in namespaces of its own), programs");

    CLI11_PARSE(app, argc, argv);
    log::set_level(verbose ? log::Level::debug : log::Level::info);

    if (*validate) return cmd_validate(files, linux_machine());
    if (*run) {
        if (!suite.filter_text.empty()) {
            std::string why;
            suite.filter = Regex::compile(suite.filter_text, &why);
            if (!suite.filter) {
                log::error("--filter '{}': not a valid regular expression (RE2 syntax): {}",
                           suite.filter_text, why);
                return kExitBadInput;
            }
        }
        if (!shard.empty()) {
            int k = 0, n = 0;
            char slash = 0;
            std::istringstream in(shard);
            if (!(in >> k >> slash >> n) || slash != '/' || n < 1 || k < 1 || k > n || !in.eof()) {
                log::error("--shard '{}': expected K/N with 1 <= K <= N, like 2/4", shard);
                return kExitBadInput;
            }
            suite.shard_index = k - 1;
            suite.shard_count = n;
        }
        if (!report_mode.empty()) {
            const auto mode = parse_file_mode(report_mode);
            if (!mode) {
                log::error("--report-mode '{}': expected an octal mode of at most 0666, like 0644",
                           report_mode);
                return kExitBadInput;
            }
            suite.report_mode = *mode;
        }
        const auto limit = parse_bytes(capture_limit, size_t{16} << 30);
        if (!limit || *limit < 4096) {
            log::error("--capture-limit '{}': expected a size from 4KiB to 16GiB, like 64MiB",
                       capture_limit);
            return kExitBadInput;
        }
        suite.run.capture_limit = *limit;
        return cmd_run(files, suite, linux_machine());
    }
    if (*up) return cmd_up(file, linux_machine());
    if (*down) return cmd_down(run_id, all, linux_machine());
    if (*list) return cmd_list();
    if (*exec) return cmd_exec(node, run_id, command);
    if (*shell) return cmd_shell(node, run_id);
    if (*clean) return cmd_clean(linux_machine());
    if (*graph) return cmd_graph(file, svg);
    if (*rules) return cmd_rules(file, router);
    if (*doctor) return cmd_doctor();
    return kExitBadInput;
}
}  // namespace

int main(int argc, char** argv) {
    // Room for a descriptor per namespace of large topologies.
    testbed::raise_fd_limit();
    return testbed::guarded_main("testbed", argc, argv, run);
}
