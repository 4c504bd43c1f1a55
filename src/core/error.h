#pragma once
/// Error types. A SystemError names the call, its arguments and the kernel's
/// error text, as nsjail does: "rtnl_link_add(name:'x' peer:'y'): File exists".

#include <stdexcept>
#include <string>

namespace testbed {

/// Any failure the testbed reports to the user and then cleans up after.
class Error : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

/// A failed system or library call: what was called, with which arguments,
/// and why it failed.
class SystemError : public Error {
  public:
    /// `call` is e.g. "rtnl_link_add(name:'a' peer:'b')"; `reason` the
    /// kernel's or library's error text.
    SystemError(const std::string& call, const std::string& reason) : Error(call + ": " + reason) {}
};

/// Throws SystemError(call, strerror(errno)); call right after a failing syscall.
[[noreturn]] void throw_errno(const std::string& call);

}  // namespace testbed
