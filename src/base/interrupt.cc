#include "base/interrupt.h"

#include <signal.h>
#include <unistd.h>

#include <array>
#include <atomic>

namespace testbed {
namespace {

std::atomic<int> g_signals{0};
std::array<std::atomic<int>, kMaxEmergencyGroups> g_groups{};

void on_signal(int) {
    if (g_signals.fetch_add(1) >= 1) {
        emergency_kill_all();
        static const char msg[] = "\ntestbed: forced stop\n";
        (void)!::write(STDERR_FILENO, msg, sizeof msg - 1);
        ::_exit(130);
    }
    static const char msg[] = "\ntestbed: stopping, tearing down (Ctrl-C again to force)\n";
    (void)!::write(STDERR_FILENO, msg, sizeof msg - 1);
}

}  // namespace

void install_interrupt_handlers() {
    struct sigaction sa {};
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = 0;  // no SA_RESTART: a blocking poll returns EINTR at once
    sigaction(SIGINT, &sa, nullptr);
    sigaction(SIGTERM, &sa, nullptr);
    sigaction(SIGHUP, &sa, nullptr);
}

bool interrupted() {
    return g_signals.load() > 0;
}

void throw_if_interrupted() {
    if (interrupted()) throw Interrupted();
}

bool register_emergency_group(int pgid) {
    for (auto& slot : g_groups) {
        int expected = 0;
        if (slot.compare_exchange_strong(expected, pgid)) return true;
    }
    return false;
}

void unregister_emergency_group(int pgid) {
    for (auto& slot : g_groups) {
        int expected = pgid;
        if (slot.compare_exchange_strong(expected, 0)) return;
    }
}

void emergency_kill_all() {
    for (auto& slot : g_groups) {
        const int pgid = slot.load();
        if (pgid > 0) ::kill(-pgid, SIGKILL);
    }
}

}  // namespace testbed
