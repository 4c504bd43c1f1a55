#pragma once
/// nftables through libnftables (no `nft` process), inside a namespace.

#include <string>

namespace testbed {

/// Runs an nftables command buffer inside the namespace behind `ns_fd` and
/// returns libnftables' output; throws SystemError with its error text.
std::string run_nft(int ns_fd, const std::string& commands);

/// Has the kernel check `commands` inside the namespace without applying
/// them (libnftables' dry run); throws SystemError with nftables' message.
void run_nft_check(int ns_fd, const std::string& commands);

}  // namespace testbed
