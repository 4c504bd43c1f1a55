// `run:`: start (with ready and env), wait, sleep, link, set-nat, flush,
// renumber, move.

#include <fmt/core.h>

#include "base/bytes.h"
#include "base/regex.h"
#include "load/sections.h"
#include "model/names.h"
#include "model/template.h"

namespace testbed::sections {

/// The most a step may keep of each of its program's streams.
constexpr size_t kMaxOutputLimit = size_t{4} << 30;

namespace {

ReadySpec read_ready(YamlReader& r, const YAML::Node& node, const std::string& what) {
    ReadySpec ready;
    if (!r.expect_map(node, what + " ready",
                      "{ udp: PORT }, { tcp: PORT }, { stdout: REGEX } or { stderr: REGEX }"))
        return ready;
    r.check_keys(node, {"udp", "tcp", "stdout", "stderr", "timeout"}, what + " ready");
    int kinds = 0;
    if (auto n = node["udp"]) {
        ready.kind = ReadySpec::Kind::udp_port;
        ready.port = r.integer(n, what + " ready udp", 1, 65535).value_or(0);
        ++kinds;
    }
    if (auto n = node["tcp"]) {
        ready.kind = ReadySpec::Kind::tcp_port;
        ready.port = r.integer(n, what + " ready tcp", 1, 65535).value_or(0);
        ++kinds;
    }
    for (const bool on_stderr : {false, true}) {
        const char* stream = on_stderr ? "stderr" : "stdout";
        if (auto n = node[stream]) {
            ready.kind = on_stderr ? ReadySpec::Kind::stderr_regex : ReadySpec::Kind::stdout_regex;
            ready.regex =
                r.scalar(n, fmt::format("{} ready {}", what, stream), "a regular expression");
            check_regex(r, n, ready.regex, fmt::format("{} ready {}", what, stream));
            ++kinds;
        }
    }
    if (kinds != 1)
        r.diag().error(loc_of(node),
                       what + " ready: expected exactly one of udp, tcp, stdout or stderr");
    if (auto n = node["timeout"])
        ready.timeout = r.duration(n, what + " ready timeout").value_or(ready.timeout);
    return ready;
}

/// `drop-capabilities: [net-raw]`: what the program starts without.
void read_dropped_capabilities(YamlReader& r, const YAML::Node& caps, const std::string& what,
                               StartStep& start) {
    const std::string expected =
        fmt::format("a list of capabilities like [net-raw] (known: {})", capability_names());
    if (!caps.IsSequence()) {
        r.diag().error(loc_of(caps), fmt::format("{} drop-capabilities: expected {}, found {}",
                                                 what, expected, kind_of(caps)));
        return;
    }
    for (const auto& c : caps) {
        const std::string name =
            r.word(c, what + " drop-capabilities", "a capability name").value_or("");
        if (auto number = capability_named(name))
            start.drop_capabilities.push_back(*number);
        else if (!name.empty())
            r.diag().error(loc_of(c), fmt::format("{} drop-capabilities: unknown capability "
                                                  "'{}'; expected one of {}",
                                                  what, name, capability_names()));
    }
}

void read_start(YamlReader& r, const YAML::Node& item, Topology& topo) {
    r.check_keys(item, {"start", "on", "cmd", "ready", "env", "output-limit", "drop-capabilities"},
                 "a start step");
    StartStep start;
    start.name = r.word(item["start"], "start", "a process name").value_or("");
    std::string why;
    if (!start.name.empty() && !is_valid_node_name(start.name, &why)) {
        r.diag().error(loc_of(item["start"]),
                       fmt::format("process name '{}': {}", start.name, why));
    }
    const std::string what = fmt::format("start '{}'", start.name);
    if (auto on = item["on"])
        start.node = r.word(on, what + " on", "a host or router name").value_or("");
    else
        r.diag().error(loc_of(item), what + ": no 'on'; expected the node to run on");
    if (auto cmd = item["cmd"]) {
        if (cmd.IsSequence() && cmd.size() > 0) {
            for (const auto& arg : cmd)
                start.argv.push_back(r.scalar(arg, what + " cmd", "a string"));
        } else {
            r.diag().error(
                loc_of(cmd),
                fmt::format("{} cmd: expected a non-empty list like [peer, --id, alice], found {}",
                            what, kind_of(cmd)));
        }
    } else {
        r.diag().error(loc_of(item), what + ": no 'cmd'; expected an argv list");
    }
    if (auto env = item["env"]) {
        if (r.expect_map(env, what + " env", "a map of variable to value")) {
            for (const auto& e : env)
                start.env[e.first.Scalar()] = r.scalar(e.second, what + " env", "a string");
        }
    }
    if (auto ready = item["ready"]) start.ready = read_ready(r, ready, what);
    if (auto limit = item["output-limit"]) {
        const std::string text =
            r.word(limit, what + " output-limit", "a size like 64MiB").value_or("");
        start.output_limit = parse_bytes(text, kMaxOutputLimit);
        if (!start.output_limit && !text.empty())
            r.diag().error(loc_of(limit),
                           fmt::format("{} output-limit: expected a size like 64MiB, 512KiB or "
                                       "4096 (at most 4GiB), found '{}'",
                                       what, text));
    }
    if (auto caps = item["drop-capabilities"]) read_dropped_capabilities(r, caps, what, start);
    topo.steps.push_back({std::move(start), loc_of(item)});
}

void read_wait(YamlReader& r, const YAML::Node& item, Topology& topo) {
    r.check_keys(item, {"wait", "timeout"}, "a wait step");
    WaitStep wait;
    const YAML::Node names = item["wait"];
    if (names.IsSequence()) {
        for (const auto& n : names)
            wait.names.push_back(r.word(n, "wait", "a process name").value_or(""));
    } else {
        wait.names.push_back(
            r.word(names, "wait", "a process name or a list of them").value_or(""));
    }
    if (auto t = item["timeout"])
        wait.timeout = r.duration(t, "wait timeout").value_or(wait.timeout);
    topo.steps.push_back({std::move(wait), loc_of(item)});
}

/// `link: down|up` on a node's interface, or `link: { loss: 30% }`: new
/// conditions for a network or (with `on`) one node's attachment to it;
/// `for: 5s` puts back what was before.
void read_link(YamlReader& r, const YAML::Node& item, Topology& topo) {
    r.check_keys(item, {"link", "on", "network", "for"}, "a link step");
    LinkStep link;
    const YAML::Node change = item["link"];
    if (auto on = item["on"])
        link.node = r.word(on, "link on", "a host or router name").value_or("");
    if (auto net = item["network"])
        link.network = r.word(net, "link network", "a network name").value_or("");
    else
        r.diag().error(loc_of(item), "link: no 'network'; expected the network of the link");
    if (change.IsMap()) {
        const std::string what =
            link.node.empty()
                ? fmt::format("link on network '{}'", link.network)
                : fmt::format("link of '{}' on network '{}'", link.node, link.network);
        link.conditions = read_link_change(r, change, what, !link.node.empty());
    } else {
        const std::string state =
            r.word(change, "link", "down, up, or a map of link conditions").value_or("");
        if (state == "up" || state == "down") {
            link.up = state == "up";
        } else if (!state.empty()) {
            r.diag().error(loc_of(change),
                           fmt::format("link: expected down, up, or a map of link conditions "
                                       "({{ loss: 30% }}), found '{}'",
                                       state));
        }
        if (!item["on"])
            r.diag().error(loc_of(item),
                           "link: no 'on'; expected the node whose interface goes down or up");
    }
    if (auto lasts = item["for"]) link.lasts = r.duration(lasts, "link for");
    topo.steps.push_back({link, loc_of(item)});
}

void read_set_nat(YamlReader& r, const YAML::Node& item, Topology& topo) {
    r.check_keys(item, {"set-nat", "to"}, "a set-nat step");
    SetNatStep step;
    step.router = r.word(item["set-nat"], "set-nat", "a router name").value_or("");
    if (auto to = item["to"]) {
        if (auto nat = read_nat(r, to, fmt::format("set-nat '{}'", step.router))) step.nat = *nat;
    } else {
        r.diag().error(loc_of(item), "set-nat: no 'to'; expected a preset or a behaviour map");
    }
    topo.steps.push_back({std::move(step), loc_of(item)});
}

void read_flush(YamlReader& r, const YAML::Node& item, Topology& topo) {
    r.check_keys(item, {"flush"}, "a flush step");
    topo.steps.push_back(
        {FlushStep{r.word(item["flush"], "flush", "a router name").value_or("")}, loc_of(item)});
}

/// `renumber: NODE` with `network:` (needed when the node has several) and
/// `to:` (an address, or `auto`, the default).
void read_renumber(YamlReader& r, const YAML::Node& item, Topology& topo) {
    r.check_keys(item, {"renumber", "network", "to"}, "a renumber step");
    RenumberStep step;
    step.node = r.word(item["renumber"], "renumber", "a host or router name").value_or("");
    if (auto net = item["network"])
        step.network = r.word(net, "renumber network", "a network name").value_or("");
    step.to.loc = loc_of(item);
    if (auto to = item["to"]) {
        if (auto spec = read_address(r, to, fmt::format("renumber '{}' to", step.node)))
            step.to = *spec;
    }
    topo.steps.push_back({std::move(step), loc_of(item)});
}

/// `move: HOST` with `to: NETWORK`.
void read_move(YamlReader& r, const YAML::Node& item, Topology& topo) {
    r.check_keys(item, {"move", "to"}, "a move step");
    MoveStep step;
    step.host = r.word(item["move"], "move", "a host name").value_or("");
    if (auto to = item["to"])
        step.to = r.word(to, "move to", "a network name").value_or("");
    else
        r.diag().error(loc_of(item), "move: no 'to'; expected the network the host moves to");
    topo.steps.push_back({std::move(step), loc_of(item)});
}

void read_sleep(YamlReader& r, const YAML::Node& item, Topology& topo) {
    r.check_keys(item, {"sleep"}, "a sleep step");
    SleepStep sleep;
    if (auto d = r.duration(item["sleep"], "sleep")) sleep.duration = *d;
    topo.steps.push_back({sleep, loc_of(item)});
}

}  // namespace

void read_steps(YamlReader& r, const YAML::Node& node, Topology& topo) {
    if (!node.IsSequence()) {
        r.diag().error(loc_of(node),
                       fmt::format("run: expected a list of steps, found {}", kind_of(node)));
        return;
    }
    for (const auto& item : node) {
        if (!r.expect_map(item, "run step",
                          "a map with start, wait, sleep, link, set-nat, flush, renumber or move"))
            continue;
        if (item["start"])
            read_start(r, item, topo);
        else if (item["wait"])
            read_wait(r, item, topo);
        else if (item["sleep"])
            read_sleep(r, item, topo);
        else if (item["link"])
            read_link(r, item, topo);
        else if (item["set-nat"])
            read_set_nat(r, item, topo);
        else if (item["flush"])
            read_flush(r, item, topo);
        else if (item["renumber"])
            read_renumber(r, item, topo);
        else if (item["move"])
            read_move(r, item, topo);
        else
            r.diag().error(loc_of(item),
                           "run step: expected one of start, wait, sleep, link, "
                           "set-nat, flush, renumber or move");
    }
}

void check_regex(YamlReader& r, const YAML::Node& node, const std::string& regex,
                 const std::string& what) {
    // A matrix fills in ${name} later: check the shape around it now.
    std::map<std::string, std::string> placeholders;
    for (const auto& name : variables_in(regex)) placeholders[name] = "x";
    std::string why;
    if (!Regex::compile(substitute(regex, placeholders), &why)) {
        r.diag().error(loc_of(node), fmt::format("{}: bad regular expression '{}' (RE2 syntax): {}",
                                                 what, regex, why));
    }
}

}  // namespace testbed::sections
