#pragma once
/// `testbed doctor`: what this machine can and cannot do for the testbed.
/// Each kernel feature is probed for real, in namespaces of its own (a veth
/// pair, a bridge, every NAT preset's ruleset through libnftables' dry run,
/// a conntrack flush, the qdiscs), never read from a config file; then the
/// programs the testbed and its tests start.

#include <string>
#include <vector>

namespace testbed {

struct DoctorCheck {
    std::string feature;   ///< e.g. "veth pairs"
    std::string needs;     ///< kernel options or packages, e.g. "CONFIG_VETH"
    bool required = true;  ///< false: only some features or tests need it
    bool ok = false;
    bool checked = true;  ///< false when an earlier failure kept it from being probed
    std::string detail;   ///< the error, or what was found
    std::string without;  ///< what does not work without it
};

/// Probes everything; kernel features only as root (otherwise they are
/// reported unchecked). Creates and removes namespaces of its own only.
std::vector<DoctorCheck> run_doctor();

/// The report, a line per check, then a verdict. Pure.
std::string format_doctor(const std::vector<DoctorCheck>& checks, const std::string& kernel);

/// True when every required check passed.
bool doctor_ok(const std::vector<DoctorCheck>& checks);

}  // namespace testbed
