// The unit tests' main: doctest's, with the testbed's log quiet below
// errors (the code under test logs what a person running it should see;
// the tests check outcomes, not log lines).
#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>

#include "base/log.h"

int main(int argc, char** argv) {
    testbed::log::set_level(testbed::log::Level::error);
    return doctest::Context(argc, argv).run();
}
