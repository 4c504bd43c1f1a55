#include "kernel/linux/nftables.h"

#include <nftables/libnftables.h>

#include <memory>
#include <nlohmann/json.hpp>

#include "base/error.h"
#include "kernel/linux/netns.h"

namespace testbed {
namespace {

std::string run_nft_in(int ns_fd, const std::string& commands, bool dry_run, bool json = false) {
    // libnftables opens its netlink socket in the namespace of the thread
    // that uses the context: create, use and free it inside.
    NetnsScope scope(ns_fd);
    std::unique_ptr<nft_ctx, decltype(&nft_ctx_free)> ctx(nft_ctx_new(NFT_CTX_DEFAULT),
                                                          &nft_ctx_free);
    if (!ctx) throw SystemError("nft_ctx_new", "out of memory");
    nft_ctx_buffer_output(ctx.get());
    nft_ctx_buffer_error(ctx.get());
    nft_ctx_set_dry_run(ctx.get(), dry_run);
    if (json) nft_ctx_output_set_flags(ctx.get(), NFT_CTX_OUTPUT_JSON);
    if (nft_run_cmd_from_buffer(ctx.get(), commands.c_str()) != 0) {
        std::string err = nft_ctx_get_error_buffer(ctx.get());
        while (!err.empty() && err.back() == '\n') err.pop_back();
        throw SystemError("nft_run_cmd_from_buffer", err.empty() ? "failed" : err);
    }
    return nft_ctx_get_output_buffer(ctx.get());
}

}  // namespace

std::string run_nft(int ns_fd, const std::string& commands) {
    return run_nft_in(ns_fd, commands, false);
}

std::map<std::string, uint64_t> read_nft_counters(int ns_fd, const std::string& table) {
    const std::string command = "list counters table " + table;
    const std::string text = run_nft_in(ns_fd, command, false, true);
    // libnftables wrote it, so it is small and well formed; still, nothing
    // here trusts its shape.
    const auto doc = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (!doc.is_object() || !doc.contains("nftables") || !doc["nftables"].is_array())
        throw SystemError(command, "libnftables printed no nftables array");
    std::map<std::string, uint64_t> packets;
    for (const auto& item : doc["nftables"]) {
        if (!item.is_object() || !item.contains("counter")) continue;
        const auto& c = item["counter"];
        if (!c.is_object() || !c.contains("name") || !c["name"].is_string() ||
            !c.contains("packets") || !c["packets"].is_number_unsigned())
            throw SystemError(command, "a counter without name or packets: " + c.dump());
        packets[c["name"].get<std::string>()] = c["packets"].get<uint64_t>();
    }
    return packets;
}

void run_nft_check(int ns_fd, const std::string& commands) {
    run_nft_in(ns_fd, commands, true);
}

}  // namespace testbed
