#pragma once
/// Port assignment seen from outside: whether the public ports of mappings
/// made one after the other step evenly, as a sequential NAT hands them out,
/// and by how much. The probe's `ports: sequential` and the peer's port
/// prediction both ask this.

#include <cstdint>
#include <optional>
#include <span>

namespace testbed::punch {

/// How many steps one gap between two of our mappings may span: a port in
/// between went to another host, or to a first packet the NAT saw twice (a
/// retransmission that overtook it on another CPU before its conntrack
/// entry was confirmed takes a port of its own).
inline constexpr int kMaxStepsSkipped = 3;

/// How many mappings, made one after the other, a step is judged from: four,
/// so that one port taken in between does not hide the sequence. The
/// probe's `ports` and the peer's prediction both make this many.
inline constexpr int kStepSamples = 4;

/// The step of `ports` (public ports of mappings in the order they were
/// made, at least three) when they are a sequence: every gap a whole
/// multiple (1..kMaxStepsSkipped) of one step of at most kMaxPortStep, in
/// one direction, and the step itself at least half of the gaps. nullopt
/// otherwise (random or preserved ports; fewer than three).
std::optional<int32_t> sequential_step(std::span<const int> ports);

}  // namespace testbed::punch
