#include "kernel/linux/nftables.h"

#include <nftables/libnftables.h>

#include <memory>

#include "base/error.h"
#include "kernel/linux/netns.h"

namespace testbed {
namespace {

std::string run_nft_in(int ns_fd, const std::string& commands, bool dry_run) {
    // libnftables opens its netlink socket in the namespace of the thread
    // that uses the context: create, use and free it inside.
    NetnsScope scope(ns_fd);
    std::unique_ptr<nft_ctx, decltype(&nft_ctx_free)> ctx(nft_ctx_new(NFT_CTX_DEFAULT),
                                                          &nft_ctx_free);
    if (!ctx) throw SystemError("nft_ctx_new", "out of memory");
    nft_ctx_buffer_output(ctx.get());
    nft_ctx_buffer_error(ctx.get());
    nft_ctx_set_dry_run(ctx.get(), dry_run);
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

void run_nft_check(int ns_fd, const std::string& commands) {
    run_nft_in(ns_fd, commands, true);
}

}  // namespace testbed
