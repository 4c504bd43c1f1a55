#pragma once
/// The three real clients, one file each; client.cc's make_client picks one.

#include <memory>

#include "programs/portmap/client.h"

namespace testbed::programs::portmap {

std::unique_ptr<GatewayClient> make_upnp_client();
std::unique_ptr<GatewayClient> make_natpmp_client();
std::unique_ptr<GatewayClient> make_pcp_client();

}  // namespace testbed::programs::portmap
