#pragma once
/// nftables through libnftables (no `nft` process), inside a namespace.

#include <cstdint>
#include <map>
#include <string>

namespace testbed {

/// Runs an nftables command buffer inside the namespace behind `ns_fd` and
/// returns libnftables' output; throws SystemError with its error text.
std::string run_nft(int ns_fd, const std::string& commands);

/// The packets of each named counter of table `ip TABLE` in the namespace.
/// Throws SystemError (libnftables' message, or what its JSON lacked).
std::map<std::string, uint64_t> read_nft_counters(int ns_fd, const std::string& table);

/// Has the kernel check `commands` inside the namespace without applying
/// them (libnftables' dry run); throws SystemError with nftables' message.
void run_nft_check(int ns_fd, const std::string& commands);

}  // namespace testbed
