#include "punch/auth.h"

#include <sodium.h>

#include <stdexcept>

namespace testbed::punch {
namespace {

void ensure_sodium() {
    if (sodium_init() < 0) throw std::runtime_error("sodium_init() failed");
}

/// Domain-separated, unambiguous: ids cannot contain NUL.
std::vector<uint8_t> signed_text(const SessionId& session, std::string_view from,
                                 std::string_view to) {
    constexpr std::string_view kDomain = "testbed-punch-v1";
    std::vector<uint8_t> out(kDomain.begin(), kDomain.end());
    out.push_back(0);
    out.insert(out.end(), session.begin(), session.end());
    out.insert(out.end(), from.begin(), from.end());
    out.push_back(0);
    out.insert(out.end(), to.begin(), to.end());
    return out;
}

}  // namespace

Identity::Identity() {
    ensure_sodium();
    static_assert(crypto_sign_PUBLICKEYBYTES == 32 && crypto_sign_SECRETKEYBYTES == 64);
    crypto_sign_keypair(public_.data(), secret_.data());
}

Identity::~Identity() {
    sodium_memzero(secret_.data(), secret_.size());
}

Signature Identity::prove(const SessionId& session, std::string_view from,
                          std::string_view to) const {
    static_assert(crypto_sign_BYTES == 64);
    const auto text = signed_text(session, from, to);
    Signature sig{};
    crypto_sign_detached(sig.data(), nullptr, text.data(), text.size(), secret_.data());
    return sig;
}

bool check_proof(const PublicKey& key, const SessionId& session, std::string_view from,
                 std::string_view to, const Signature& proof) {
    ensure_sodium();
    const auto text = signed_text(session, from, to);
    return crypto_sign_verify_detached(proof.data(), text.data(), text.size(), key.data()) == 0;
}

SessionId random_session() {
    ensure_sodium();
    SessionId s{};
    randombytes_buf(s.data(), s.size());
    return s;
}

}  // namespace testbed::punch
