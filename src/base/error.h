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

/// Runs a program's `body`; an exception that escapes it is printed as
/// "PROGRAM: fatal: WHAT" on stderr and the exit code is 1, instead of an
/// abort. Every executable's main() goes through it.
int guarded_main(const char* program, int argc, char** argv, int (*body)(int, char**));

}  // namespace testbed
