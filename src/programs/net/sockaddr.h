#pragma once
/// IPv4 socket addresses to and from the programs' endpoints, and the names
/// of a socket's two ends.

#include <netinet/in.h>

#include "stun/stun.h"

namespace testbed::programs {

sockaddr_in to_sockaddr(const stun::Endpoint& e);
stun::Endpoint from_sockaddr(const sockaddr_in& sa);

/// The local / remote endpoint of a socket; an empty endpoint when the
/// kernel cannot say (not bound, not connected).
stun::Endpoint socket_name(int fd);
stun::Endpoint peer_name(int fd);

}  // namespace testbed::programs
