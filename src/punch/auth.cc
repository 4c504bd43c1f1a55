#include "punch/auth.h"

#include <sodium.h>

#include <span>
#include <stdexcept>

namespace testbed::punch {
namespace {

void ensure_sodium() {
    if (sodium_init() < 0) throw std::runtime_error("sodium_init() failed");
}

/// Domain-separated, unambiguous: fixed-size fields first, ids cannot contain NUL.
std::vector<uint8_t> signed_text(std::string_view domain, std::span<const uint8_t> a,
                                 std::span<const uint8_t> b, std::string_view from,
                                 std::string_view to) {
    std::vector<uint8_t> out(domain.begin(), domain.end());
    out.push_back(0);
    out.insert(out.end(), a.begin(), a.end());
    out.insert(out.end(), b.begin(), b.end());
    out.insert(out.end(), from.begin(), from.end());
    out.push_back(0);
    out.insert(out.end(), to.begin(), to.end());
    return out;
}

std::vector<uint8_t> session_text(const SessionId& session, std::string_view from,
                                  std::string_view to) {
    return signed_text("testbed-punch-v1", session, {}, from, to);
}

std::vector<uint8_t> registration_text(const Nonce& nonce, const PublicKey& key,
                                       std::string_view id) {
    return signed_text("testbed-register-v1", nonce, key, id, {});
}

Signature sign_detached(const std::vector<uint8_t>& text, const std::array<uint8_t, 64>& secret) {
    static_assert(crypto_sign_BYTES == 64);
    Signature sig{};
    crypto_sign_detached(sig.data(), nullptr, text.data(), text.size(), secret.data());
    return sig;
}

bool verify_detached(const std::vector<uint8_t>& text, const PublicKey& key, const Signature& sig) {
    ensure_sodium();
    return crypto_sign_verify_detached(sig.data(), text.data(), text.size(), key.data()) == 0;
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
    return sign_detached(session_text(session, from, to), secret_);
}

Register Identity::sign(Register r, const Nonce& nonce) const {
    r.nonce = nonce;
    r.proof = sign_detached(registration_text(nonce, r.key, r.id), secret_);
    return r;
}

bool check_proof(const PublicKey& key, const SessionId& session, std::string_view from,
                 std::string_view to, const Signature& proof) {
    return verify_detached(session_text(session, from, to), key, proof);
}

bool check_registration(const Register& r) {
    return r.nonce && r.proof &&
           verify_detached(registration_text(*r.nonce, r.key, r.id), r.key, *r.proof);
}

SessionId random_session() {
    ensure_sodium();
    SessionId s{};
    randombytes_buf(s.data(), s.size());
    return s;
}

Epoch random_epoch() {
    ensure_sodium();
    Epoch e{};
    while (e == Epoch{}) randombytes_buf(e.data(), e.size());
    return e;
}

}  // namespace testbed::punch
