#include "base/error.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <exception>

namespace testbed {

void throw_errno(const std::string& call) {
    const int saved = errno;
    throw SystemError(call, std::strerror(saved));
}

int guarded_main(const char* program, int argc, char** argv, int (*body)(int, char**)) {
    try {
        return body(argc, argv);
    } catch (const std::exception& e) {
        (void)std::fprintf(stderr, "%s: fatal: %s\n", program, e.what());
    } catch (...) {
        (void)std::fprintf(stderr, "%s: fatal: unknown exception\n", program);
    }
    return 1;
}

}  // namespace testbed
