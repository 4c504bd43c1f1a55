#include "run/ready.h"

#include <fmt/core.h>

#include <fstream>
#include <sstream>

namespace testbed {

bool table_has_port(const std::string& table, bool tcp, int port) {
    std::istringstream in(table);
    std::string line;
    std::getline(in, line);  // header
    const std::string want = fmt::format(":{:04X}", port);
    while (std::getline(in, line)) {
        std::istringstream fields(line);
        std::string slot, local, remote, state;
        fields >> slot >> local >> remote >> state;
        if (local.size() < want.size() ||
            local.compare(local.size() - want.size(), want.size(), want) != 0)
            continue;
        if (!tcp || state == "0A") return true;  // 0A: TCP_LISTEN
    }
    return false;
}

bool port_bound(int pid, bool tcp, int port) {
    for (const char* family : {"", "6"}) {
        std::ifstream file(fmt::format("/proc/{}/net/{}{}", pid, tcp ? "tcp" : "udp", family));
        if (!file) continue;
        std::stringstream text;
        text << file.rdbuf();
        if (table_has_port(text.str(), tcp, port)) return true;
    }
    return false;
}

}  // namespace testbed
