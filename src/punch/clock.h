#pragma once
/// The one clock of the punching code: the server's tables and the peers'
/// sessions take the time as a value, so tests pass it in.

#include <chrono>

namespace testbed::punch {

using Clock = std::chrono::steady_clock;
using Time = Clock::time_point;

}  // namespace testbed::punch
