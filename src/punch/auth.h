#pragma once
/// The peers' authentication (libsodium Ed25519). Each peer makes a key pair
/// at start and registers the public half, signing the server's nonce with
/// it (so nobody registers a key they do not hold); the server's introduction hands
/// each peer the other's. On a candidate path each side sends a proof: its
/// signature over the introduction's session id and both ids, so only the
/// introduced peer can produce it, and only for this introduction.

#include <string_view>

#include "punch/protocol.h"

namespace testbed::punch {

class Identity {
  public:
    /// A fresh key pair. Throws if libsodium cannot initialise.
    Identity();
    ~Identity();
    Identity(const Identity&) = delete;
    Identity& operator=(const Identity&) = delete;

    const PublicKey& public_key() const { return public_; }
    /// Proof that the holder of this key is `from`, talking to `to`, in `session`.
    Signature prove(const SessionId& session, std::string_view from, std::string_view to) const;
    /// `r` with `nonce` and this key's signature over (nonce, key, id): what
    /// the server registers. `r.key` must be this identity's public key.
    Register sign(Register r, const Nonce& nonce) const;

  private:
    PublicKey public_{};
    std::array<uint8_t, 64> secret_{};
};

/// Whether `proof` was made by `key`'s holder for (`session`, `from`, `to`).
bool check_proof(const PublicKey& key, const SessionId& session, std::string_view from,
                 std::string_view to, const Signature& proof);

/// Whether `r` carries a nonce and a proof made by the holder of `r.key`
/// over (nonce, key, id).
bool check_registration(const Register& r);

/// A random session id (the server makes one per introduction).
SessionId random_session();
/// A fresh, non-zero epoch for one session of one peer.
Epoch random_epoch();

}  // namespace testbed::punch
