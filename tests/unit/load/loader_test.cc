// The loader: the file format into the model, every mistake with its place,
// and the bounds that keep a hostile file from costing more than its size.

#include <doctest/doctest.h>
#include <fmt/core.h>

#include <algorithm>
#include <chrono>

#include "support/helpers.h"

using namespace testbed;
using testing::contains;
using testing::errors;
using testing::load;

TEST_CASE("the spec's complete example loads and validates") {
    auto l = load(testing::kSpecExample);
    INFO(l.diag.format());
    REQUIRE(l.topo);
    CHECK_FALSE(l.diag.has_errors());
    const Topology& t = *l.topo;
    CHECK(t.name == "udp-port-restricted-pair");
    CHECK(t.networks.size() == 3);
    CHECK(t.routers.size() == 2);
    CHECK(t.routers[0].nat->preset == "port-restricted-cone");
    CHECK(t.routers[1].nat->behaviour.udp_timeout->count() == 30000);
    CHECK(t.steps.size() == 4);
    CHECK(t.expectations[0].json["result"] == "direct");
}

TEST_CASE("errors name file, line and column") {
    const std::string e = errors(
        "networks:\n  internet: 203.0.113.0/24\nhosts:\n  a: { internet: auto }\nbogus: 1\n");
    CHECK(contains(e, "test.yaml:5:1: error: unknown key 'bogus' in top level"));
}

TEST_CASE("several errors in one file are all reported") {
    const std::string e = errors(R"(networks:
  internet: 203.0.113.0/24
  lan: 10.0.1.1/24
hosts:
  a: { internet: 203.0.114.5 }
  b: { nowhere: auto }
)");
    CHECK(contains(e, "3:8: error: network 'lan': bad subnet '10.0.1.1/24': host bits are set"));
    CHECK(contains(e, "5:18: error: host 'a': address 203.0.114.5 is outside network 'internet'"));
    CHECK(contains(e, "6:8: error: host 'b': unknown network 'nowhere'"));
}

TEST_CASE("a network name too long for an interface") {
    const std::string e = errors("networks:\n  a-very-long-network-name: 10.0.0.0/24\n");
    CHECK(contains(e,
                   "2:3: error: network name 'a-very-long-network-name': 24 characters; an "
                   "interface name takes 1 to 15"));
}

TEST_CASE("network names the kernel reserves are refused at validation, not at build") {
    for (const char* name : {"all", "default", "lo"}) {
        const std::string e = errors(fmt::format("networks:\n  {}: 10.0.0.0/24\n", name));
        CHECK_MESSAGE(contains(e, fmt::format("2:3: error: network name '{}': a name the kernel "
                                              "reserves",
                                              name)),
                      e);
    }
}

TEST_CASE("a hostile name's control bytes are printed escaped, one line an error") {
    const std::string e = errors("networks:\n  \"\\e]0;owned\\a\\e[2J\\nfake\": 10.0.0.0/24\n");
    CHECK_MESSAGE(contains(e, "network name '\\e]0;owned\\x07\\e[2J\\nfake'"), e);
    CHECK(e.find('\x1b') == std::string::npos);
    CHECK(e.find('\x07') == std::string::npos);
    CHECK(std::count(e.begin(), e.end(), '\n') == 1);
}

TEST_CASE("bad NAT values name what is expected") {
    const std::string e = errors(R"(networks:
  wan: 203.0.113.0/24
  lan: 10.0.0.0/24
hosts:
  h: { lan: auto }
  s: { wan: auto }
routers:
  r:
    wan: { wan: auto }
    lan: { lan: auto }
    nat: { mapping: sometimes, ports: { sequential: 0 }, hairpin: maybe, udp-timeout: 30, colour: red }
)");
    CHECK(contains(e, "unknown behaviour 'sometimes'"));
    CHECK(contains(e, "sequential step: expected a whole number from 1 to 1000"));
    CHECK(contains(e, "hairpin: expected true or false"));
    CHECK(contains(e, "udp-timeout: expected a duration"));
    CHECK(contains(e, "unknown key 'colour'"));
}

TEST_CASE("a behaviour map's ports default to random unless the mapping is endpoint-independent") {
    auto l = load(R"(networks:
  wan: 203.0.113.0/24
  lan: 10.0.0.0/24
  lan2: 10.0.1.0/24
hosts:
  h: { lan: auto }
  h2: { lan2: auto }
routers:
  r: { wan: { wan: auto }, lan: { lan: auto }, nat: { mapping: address-dependent } }
  r2: { wan: { wan: auto }, lan: { lan2: auto }, nat: { filtering: endpoint-independent } }
)");
    REQUIRE(l.topo);
    CHECK(l.topo->routers[0].nat->behaviour.ports == PortAssignment::random);
    CHECK(l.topo->routers[1].nat->behaviour.ports == PortAssignment::preserve);
}

TEST_CASE("the TCP quirks of nat, firewall and router: values, and where they cannot apply") {
    auto l = load(R"(networks:
  wan: 203.0.113.0/24
  lan: 10.0.0.0/24
  lan2: 10.0.1.0/24
  lan3: 10.0.2.0/24
hosts:
  h: { lan: auto }
  h2: { lan2: auto }
  h3: { lan3: auto }
routers:
  r:
    wan: { wan: auto }
    lan: { lan: auto }
    nat: { tcp-unsolicited: icmp, icmp-errors: drop, tcp-syn-after-syn: drop, tcp-synack-after-syn: accept, tcp-sequence: rewrite, tcp-window: liberal }
  fw: { wan: { wan: auto }, lan: { lan2: auto }, firewall: { filtering: address-and-port-dependent, tcp-syn-after-syn: drop, icmp-errors: drop } }
  core: { wan: { wan: auto }, lan: { lan3: auto }, source-validation: true }
)");
    REQUIRE(l.topo);
    const TcpQuirks& q = l.topo->routers[0].nat->behaviour.tcp;
    CHECK(q.unsolicited == TcpUnsolicited::icmp);
    CHECK_FALSE(q.icmp_errors);
    CHECK_FALSE(q.syn_after_syn);
    CHECK(q.synack_after_syn);
    CHECK(q.rewrite_sequence);
    CHECK(q.liberal_window);
    CHECK(short_label(l.topo->routers[0].nat->behaviour) ==
          "EI/APD icmp icmp-drop syn-in-drop synack-out seq-rewrite liberal");
    CHECK_FALSE(l.topo->routers[1].firewall->tcp.syn_after_syn);
    CHECK_FALSE(l.topo->routers[1].firewall->tcp.icmp_errors);
    CHECK(l.topo->routers[2].source_validation);
    CHECK_FALSE(l.topo->routers[0].source_validation);

    const std::string e = errors(R"(networks:
  wan: 203.0.113.0/24
  lan: 10.0.0.0/24
  lan2: 10.0.1.0/24
hosts:
  h: { lan: auto }
  h2: { lan2: auto }
routers:
  r:
    wan: { wan: auto }
    lan: { lan: auto }
    nat: { tcp-unsolicited: icmp-please, icmp-errors: eat }
  fw:
    wan: { wan: auto }
    lan: { lan2: auto }
    firewall: { tcp-sequence: rewrite, tcp-window: loose, tcp-synack-after-syn: accept }
    source-validation: sometimes
)");
    CHECK(contains(e,
                   ":16:81: error: router 'fw' firewall tcp-synack-after-syn: only a NAT can "
                   "translate a SYN-ACK on a half-open mapping, and this router does not "
                   "translate addresses; put the key under nat:"));
    CHECK(contains(e, "tcp-unsolicited: expected drop, rst or icmp, found 'icmp-please'"));
    CHECK(contains(e, "icmp-errors: expected forward or drop, found 'eat'"));
    CHECK(contains(e, "router 'fw' firewall tcp-sequence: only a NAT can rewrite sequence"));
    CHECK(contains(e, "tcp-window: expected liberal or strict, found 'loose'"));
    CHECK(contains(e, "source-validation: expected true or false"));
}

TEST_CASE("unknown NAT preset lists the presets") {
    const std::string e = errors(R"(networks:
  wan: 203.0.113.0/24
  lan: 10.0.0.0/24
hosts:
  h: { lan: auto }
routers:
  r: { wan: { wan: auto }, lan: { lan: auto }, nat: cone-ish }
)");
    CHECK(contains(e,
                   "unknown preset 'cone-ish'; expected one of: open, full-cone, restricted-cone"));
}

TEST_CASE("every preset of the spec is known") {
    for (const char* name :
         {"open", "full-cone", "restricted-cone", "port-restricted-cone", "symmetric",
          "symmetric-sequential", "udp-blocked", "symmetric-udp-firewall", "cgnat"}) {
        CAPTURE(name);
        CHECK(nat_preset(name));
    }
    CHECK(nat_preset("symmetric")->mapping == Behaviour::address_and_port_dependent);
    CHECK(nat_preset("restricted-cone")->filtering == Behaviour::address_dependent);
}

TEST_CASE("ready, wait and sleep parse") {
    auto l = load(R"(networks:
  n: 10.0.1.0/24
hosts:
  a: { n: auto }
  b: { n: [10.0.1.50, 10.0.1.51] }
run:
  - start: s
    on: a
    cmd: [server]
    ready: { tcp: 8080, timeout: 2s }
  - start: t
    on: b
    cmd: [client]
    ready: { stdout: "^up$" }
  - sleep: 250ms
  - wait: s
    timeout: 1m
)");
    INFO(l.diag.format());
    REQUIRE(l.topo);
    REQUIRE_FALSE(l.diag.has_errors());
    const auto& s = std::get<StartStep>(l.topo->steps[0].action);
    CHECK(s.ready.kind == ReadySpec::Kind::tcp_port);
    CHECK(s.ready.port == 8080);
    CHECK(s.ready.timeout.count() == 2000);
    CHECK(std::get<StartStep>(l.topo->steps[1].action).ready.regex == "^up$");
    CHECK(std::get<SleepStep>(l.topo->steps[2].action).duration.count() == 250);
    CHECK(std::get<WaitStep>(l.topo->steps[3].action).timeout.count() == 60000);
    CHECK(l.topo->find_host("b")->attachments[0].addresses.size() == 2);
}

TEST_CASE("not YAML at all") {
    const std::string e = errors("networks: [unclosed\n");
    CHECK(contains(e, "not valid YAML"));
    CHECK(contains(e, "test.yaml:"));
}

TEST_CASE("matrix: a value that is neither a list nor a table is refused") {
    const std::string e = errors("networks:\n  n: 10.0.0.0/24\nmatrix:\n  transport: udp\n");
    CHECK(contains(e, "4:14: error: matrix transport: expected a list of values, or a table"));
}

TEST_CASE("run-time steps: link, set-nat, flush parse and are checked") {
    auto l = load(R"(networks:
  wan: 203.0.113.0/24
  lan: 10.0.0.0/24
hosts:
  h: { lan: auto }
  s: { wan: auto }
routers:
  r: { wan: { wan: auto }, lan: { lan: auto }, nat: port-restricted-cone }
run:
  - link: down
    on: r
    network: wan
  - set-nat: r
    to: { filtering: endpoint-independent }
  - flush: r
)");
    INFO(l.diag.format());
    REQUIRE(l.topo);
    REQUIRE_FALSE(l.diag.has_errors());
    const auto& link = std::get<LinkStep>(l.topo->steps[0].action);
    CHECK_FALSE(link.up);
    CHECK(link.network == "wan");
    CHECK(std::get<SetNatStep>(l.topo->steps[1].action).nat.behaviour.filtering ==
          Behaviour::endpoint_independent);
    CHECK(std::get<FlushStep>(l.topo->steps[2].action).router == "r");

    const std::string e = errors(R"(networks:
  wan: 203.0.113.0/24
  lan: 10.0.0.0/24
hosts:
  h: { lan: auto }
routers:
  r: { wan: { wan: auto }, lan: { lan: auto } }
run:
  - link: sideways
    on: h
    network: wan
  - set-nat: nobody
    to: cone
  - flush: h
)");
    CHECK(contains(
        e,
        "link: expected down, up, or a map of link conditions ({ loss: 30% }), found 'sideways'"));
    CHECK(contains(e, "link: node 'h' is not on network 'wan'"));
    CHECK(contains(e, "unknown preset 'cone'"));
    CHECK(contains(e, "set-nat: unknown router 'nobody'"));
    CHECK(contains(e, "flush: unknown router 'h'"));
}

TEST_CASE("duplicate keys at any level are errors naming both lines") {
    const std::string e = errors(R"(networks: { lan: 10.0.0.0/24 }
hosts: { a: { lan: auto }, b: { lan: auto } }
run:
  - start: p
    on: a
    cmd: [false]
    cmd: [true]
expect:
  p: { exit: 1 }
expect:
  p: { exit: 0 }
)");
    CHECK(contains(e, "test.yaml:7:5: error: duplicate key 'cmd' (first at line 6, column 5)"));
    CHECK(contains(e, "test.yaml:10:1: error: duplicate key 'expect' (first at line 8, column 1)"));
}

TEST_CASE("a YAML alias bomb is refused at once with its place, not expanded") {
    std::string yaml = "networks: { lan: 10.0.0.0/24 }\nx0: &a0 [1,2,3,4,5,6,7,8,9]\n";
    for (int i = 1; i < 9; ++i) {
        yaml += "x" + std::to_string(i) + ": &a" + std::to_string(i) + " [";
        for (int k = 0; k < 9; ++k) yaml += (k ? ",*a" : "*a") + std::to_string(i - 1);
        yaml += "]\n";
    }
    const auto t0 = std::chrono::steady_clock::now();
    const std::string e = errors(yaml);
    CHECK(std::chrono::steady_clock::now() - t0 < std::chrono::seconds(1));
    CHECK(contains(e, "error: the file expands to more than 1000000 YAML nodes"));
    CHECK(contains(e, "test.yaml:"));
}

TEST_CASE("nesting is bounded") {
    const std::string e = errors("networks: " + std::string(100, '[') + std::string(100, ']'));
    CHECK(contains(e, "error: nested deeper than 64 levels"));
}

TEST_CASE("output-limit takes a size, bounded, and says where a bad one is") {
    auto l = load(R"(networks: { lan: 10.0.0.0/24 }
hosts: { a: { lan: auto }, b: { lan: auto } }
run:
  - start: p
    on: a
    cmd: [yes]
    output-limit: 512KiB
)");
    REQUIRE(l.topo);
    const auto& start = std::get<StartStep>(l.topo->steps.at(0).action);
    CHECK(start.output_limit == size_t{512} << 10);
    const std::string e = errors(R"(networks: { lan: 10.0.0.0/24 }
hosts: { a: { lan: auto }, b: { lan: auto } }
run:
  - start: p
    on: a
    cmd: [yes]
    output-limit: 5GiB
  - start: q
    on: a
    cmd: [yes]
    output-limit: lots
)");
    CHECK(contains(e, "test.yaml:7:19: error: start 'p' output-limit: expected a size like 64MiB"));
    CHECK(contains(e, "found '5GiB'"));
    CHECK(contains(e, "test.yaml:11:19: error: start 'q' output-limit"));
}

TEST_CASE("a file that is not UTF-8 is refused at the bad byte, not thrown on later") {
    // Found by the loader fuzzer: an invalid byte in a string reached a JSON
    // dump, which threw, and the whole testbed ended on an exception.
    const std::string e = errors(
        "networks:\n  lan: 10.0.0.0/24\nhosts:\n  a: { lan: auto }\n  b: { lan: auto }\n"
        "expect:\n  p: { json: { x: \"\xb0\" } }\n");
    CHECK_MESSAGE(contains(e, "test.yaml:7:20: error: not valid UTF-8 (byte 0xb0)"), e);
}

TEST_CASE("an empty value is an error where a value must say something") {
    // Found by the loader fuzzer: `lan: { home: !auto }` (a bare tag: an
    // empty scalar) or "" gave a router no address and no error, and the
    // planner read the missing address.
    for (const char* empty : {"\"\"", "!auto", "!!str"}) {
        const std::string e = errors(fmt::format(
            "networks: {{ wan: 203.0.113.0/24, home: 10.0.1.0/24 }}\n"
            "hosts: {{ s: {{ wan: auto }}, a: {{ home: auto }} }}\n"
            "routers:\n  nat: {{ wan: {{ wan: auto }}, lan: {{ home: {} }}, nat: full-cone }}\n",
            empty));
        CHECK_MESSAGE(contains(e,
                               "test.yaml:4:43: error: router 'nat' lan on network 'home': "
                               "expected an IPv4 address or auto, found an empty value"),
                      e);
    }
    const std::string steps = errors(
        "networks: { lan: 10.0.0.0/24 }\nhosts: { a: { lan: auto }, b: { lan: auto } }\n"
        "run:\n  - start: \"\"\n    on: a\n    cmd: [sleep, \"1\"]\n    output-limit: \"\"\n"
        "  - link: \"\"\n    on: a\n    network: lan\n");
    CHECK(contains(steps,
                   "test.yaml:4:12: error: start: expected a process name, found an empty value"));
    CHECK(contains(steps, "output-limit: expected a size like 64MiB, found an empty value"));
    CHECK(contains(
        steps,
        "test.yaml:8:11: error: link: expected down, up, or a map of link conditions, found "
        "an empty value"));
}

TEST_CASE("a JSON expectation with a number JSON cannot hold is an error at its place") {
    // Found by reading the loader after the fuzzer's finds: it threw, and
    // `validate` ended with "fatal" and no file:line:col.
    const std::string e = errors(
        "networks: { lan: 10.0.0.0/24 }\nhosts: { a: { lan: auto }, b: { lan: auto } }\n"
        "run:\n  - start: p\n    on: a\n    cmd: [\"true\"]\n"
        "expect:\n  p: { json: { x: 1e99999 } }\n");
    CHECK_MESSAGE(
        contains(e, "test.yaml:8:19: error: expect 'p' json: the number 1e99999 is out of range"),
        e);
}

TEST_CASE("json-range: bounds as [min, max], nested maps, and mistakes with their place") {
    const std::string base =
        "networks: { lan: 10.0.0.0/24 }\nhosts: { a: { lan: auto }, b: { lan: auto } }\n"
        "run:\n  - start: p\n    on: a\n    cmd: [\"true\"]\nexpect:\n  p: ";
    auto range = [&](const std::string& expect) { return errors(base + expect + "\n"); };
    CHECK(range("{ json-range: { packets: [1500, 1700], rtt: { ms: [0, 1.5] } } }").empty());
    CHECK(contains(range("{ json-range: { packets: 5 } }"),
                   "test.yaml:8:31: error: expect 'p' json-range.packets: expected [min, max] "
                   "(two numbers) or a map of nested fields, found '5'"));
    CHECK(contains(range("{ json-range: { packets: [9, 1] } }"),
                   "expect 'p' json-range.packets: min 9 is above max 1"));
    CHECK(contains(range("{ json-range: { packets: [a, 1] } }"),
                   "test.yaml:8:32: error: expect 'p' json-range.packets min: expected a number, "
                   "found 'a'"));
    CHECK(contains(range("{ json-range: { packets: ['1', 2] } }"),
                   "json-range.packets min: expected a number"));
    CHECK(contains(range("{ json-range: [1, 2] }"),
                   "expect 'p' json-range: expected a map of field to [min, max]"));
}

TEST_CASE("stderr, stdout-lacks, stderr-lacks, ready on stderr, exit from a variable: mistakes") {
    const std::string base =
        "networks: { lan: 10.0.0.0/24 }\nhosts: { a: { lan: auto }, b: { lan: auto } }\n"
        "run:\n  - start: p\n    on: a\n    cmd: [\"true\"]\n";
    auto with = [&](const std::string& ready, const std::string& expect) {
        return errors(base + ready + "expect:\n  p: " + expect + "\n");
    };
    CHECK(with("", "{ stderr: 'ok', stdout-lacks: 'x', stderr-lacks: 'y' }").empty());
    CHECK(with("    ready: { stderr: 'up' }\n", "{ exit: 0 }").empty());
    CHECK(contains(with("", "{ stderr: '(' }"),
                   "test.yaml:8:16: error: expect 'p' stderr: bad regular expression '('"));
    CHECK(contains(with("", "{ stdout-lacks: [a] }"),
                   "test.yaml:8:22: error: expect 'p' stdout-lacks: expected a regular expression, "
                   "found a list"));
    CHECK(contains(with("", "{ stderr-lack: x }"), "unknown key 'stderr-lack'"));
    CHECK(contains(with("    ready: { stderr: a, stdout: b }\n", "{ exit: 0 }"),
                   "test.yaml:7:12: error: start 'p' ready: expected exactly one of udp, tcp, "
                   "stdout or stderr"));
    CHECK(contains(with("", "{ exit: '${code}' }"),
                   "expect p exit: ${code} is not defined; expected the name of a matrix axis or "
                   "table (this file has no matrix)"));
    CHECK(contains(with("", "{ exit: 'x${code}' }"),
                   "test.yaml:8:14: error: expect 'p' exit: expected a number from 0 to 255 or one "
                   "${name}, found 'x${code}'"));
}

TEST_CASE("files: paths inside the run folder, text or { content, mode }, and their mistakes") {
    const std::string base =
        "networks: { lan: 10.0.0.0/24 }\nhosts: { a: { lan: auto }, b: { lan: auto } }\nfiles:\n";
    auto files = [&](const std::string& entries) { return errors(base + entries); };
    auto ok = load(base +
                   "  edge.conf: |\n    peer=${b.lan}\n    dir=${run_dir}\n"
                   "  bin/start.sh: { content: \"#!/bin/sh\\n\", mode: \"0755\" }\n");
    REQUIRE_MESSAGE(ok.topo, ok.diag.format());
    CHECK_FALSE(ok.diag.has_errors());
    REQUIRE(ok.topo->files.size() == 2);
    CHECK(ok.topo->files[0].content == "peer=${b.lan}\ndir=${run_dir}\n");
    CHECK(ok.topo->files[0].mode == 0600U);
    CHECK(ok.topo->files[1].path == "bin/start.sh");
    CHECK(ok.topo->files[1].mode == 0755U);
    CHECK(contains(files("  /etc/passwd: x\n"),
                   "test.yaml:4:3: error: files '/etc/passwd': expected a path relative to the "
                   "run's folder, not an absolute one"));
    CHECK(
        contains(files("  ../x: y\n"), "test.yaml:4:3: error: files '../x': expected plain names"));
    CHECK(contains(files("  a//b: y\n"), "files 'a//b': expected plain names"));
    CHECK(
        contains(files("  x: { content: y, mode: \"4755\" }\n"),
                 "test.yaml:4:26: error: files 'x' mode: expected an octal mode like 0644 or 0755 "
                 "(no set-id or sticky bits), found '4755'"));
    CHECK(contains(files("  x: { mode: \"0644\" }\n"), "files 'x': no 'content'"));
    CHECK(contains(files("  x: [a]\n"), "files 'x': expected the file's text"));
    CHECK(
        contains(files("  conf: a\n  conf/inner: b\n"),
                 "test.yaml:5:3: error: files 'conf/inner': 'conf' would be a file and a folder"));
    CHECK(
        contains(files("  x: \"${c.lan}\"\n"),
                 "files 'x': ${c.lan} is not defined; expected the name of a matrix axis or table, "
                 "an address (NODE.NETWORK, ROUTER.wan) or run_dir"));
}

TEST_CASE("traffic: two hosts, a path and a minimum, and every mistake with its place") {
    const std::string base =
        "networks: { lan: 10.0.0.0/24, wan: 203.0.113.0/24 }\n"
        "hosts: { a: { lan: auto }, b: { lan: auto } }\n"
        "routers: { r: { wan: { wan: auto }, lan: { lan: auto } } }\n"
        "traffic:\n";
    auto traffic = [&](const std::string& entries) { return errors(base + entries); };
    auto ok = load(base +
                   "  - { between: [a, b], via: direct, min-packets: 10 }\n"
                   "  - { between: [b, a], via: none }\n");
    REQUIRE_MESSAGE(ok.topo, ok.diag.format());
    CHECK_FALSE(ok.diag.has_errors());
    REQUIRE(ok.topo->traffic.size() == 2);
    CHECK(ok.topo->traffic[0].a == "a");
    CHECK(ok.topo->traffic[0].b == "b");
    CHECK(ok.topo->traffic[0].via == "direct");
    CHECK(ok.topo->traffic[0].min_packets == 10);
    CHECK(ok.topo->traffic[1].min_packets == 1);

    CHECK(contains(traffic("  - { between: [a, c], via: direct }\n"),
                   "test.yaml:5:20: error: traffic between: 'c' is not a host"));
    CHECK(contains(traffic("  - { between: [a, r], via: direct }\n"),
                   "'r' is not a host (it is a router; traffic is judged between hosts)"));
    CHECK(contains(traffic("  - { between: [a, a], via: direct }\n"),
                   "test.yaml:5:20: error: traffic between: 'a' twice"));
    CHECK(contains(traffic("  - { between: [a], via: direct }\n"),
                   "test.yaml:5:16: error: traffic between: expected a list of two hosts"));
    CHECK(contains(traffic("  - { between: [a, b], via: sideways }\n"),
                   "test.yaml:5:29: error: traffic via: expected direct, relay or none (or a "
                   "${name} of the matrix), found 'sideways'"));
    CHECK(contains(traffic("  - { between: [a, b] }\n"),
                   "test.yaml:5:5: error: traffic: 'via' is missing"));
    CHECK(contains(traffic("  - { via: none }\n"), "traffic: 'between' is missing"));
    CHECK(contains(
        traffic("  - { between: [a, b], via: none, min-packets: 0 }\n"),
        "test.yaml:5:48: error: traffic min-packets: expected a whole number from 1 to 100000000"));
    CHECK(contains(traffic("  - { between: [a, b], via: none, max-packets: 3 }\n"),
                   "unknown key 'max-packets' in traffic"));
    CHECK(contains(traffic("  - { between: [a, b], via: '${path}' }\n"),
                   "traffic between a and b via: ${path} is not defined"));
    CHECK(contains(errors(base + "  between: [a, b]\n"),
                   "test.yaml:5:3: error: traffic: expected a list of checks"));
}

TEST_CASE("traffic: at most 63 hosts, one DSCP value each") {
    std::string yaml = "networks: { lan: 10.0.0.0/24 }\nhosts:\n";
    for (int i = 0; i < 64; ++i) yaml += fmt::format("  h{}: {{ lan: auto }}\n", i);
    yaml += "traffic:\n  - { between: [h0, h1], via: direct }\n";
    CHECK(contains(errors(yaml), "traffic: judged for at most 63 hosts"));
}

TEST_CASE("port-range and port-block: values, what they need, and enough blocks") {
    const std::string base =
        "networks: { wan: 203.0.113.0/24, lan: 10.0.1.0/24 }\nhosts: { a: { lan: auto }, b: { "
        "lan: auto }, s: { wan: auto } }\nrouters:\n  r: { wan: { wan: auto }, lan: { lan: auto }, "
        "nat: ";
    auto nat = [&](const std::string& map) { return base + map + " }\n"; };
    const auto ok =
        testing::load(nat("{ ports: random, port-range: 10000-10999, port-block: 100 }"));
    REQUIRE(ok.topo);
    CHECK_FALSE(ok.diag.has_errors());
    const NatBehaviour& b = ok.topo->routers[0].nat->behaviour;
    CHECK(b.port_low == 10000);
    CHECK(b.port_high == 10999);
    CHECK(b.port_block == 100);
    CHECK(contains(testing::errors(nat("{ ports: random, port-range: 80-90 }")),
                   "port-range: expected LOW-HIGH within 1024-65535, found '80-90'"));
    CHECK(contains(testing::errors(nat("{ ports: preserve, port-block: 64 }")),
                   "port-block: acts on ports the NAT picks; give ports: random too"));
    CHECK(
        contains(testing::errors(nat("{ ports: random, port-range: 10000-10099, port-block: 60 }")),
                 "router 'r': port-block 60 gives 1 blocks in 10000-10099, and 2 addresses are on "
                 "its lans"));
    // A block goes to each address: a host with two takes two.
    const std::string two =
        "networks: { wan: 203.0.113.0/24, lan: 10.0.1.0/24 }\nhosts: { a: { "
        "lan: [auto, auto] }, b: { lan: auto }, s: { wan: auto } }\nrouters:\n"
        "  r: { wan: { wan: auto }, lan: { lan: auto }, nat: { ports: random, "
        "port-range: 10000-10199, port-block: 100 } }\n";
    CHECK(contains(testing::errors(two),
                   "router 'r': port-block 100 gives 2 blocks in 10000-10199, and 3 addresses are "
                   "on its lans"));
}
