#include "punch/cookie.h"

#include <sodium.h>

#include <algorithm>
#include <stdexcept>

#include "base/big_endian.h"

namespace testbed::punch {
namespace {

constexpr size_t kBucketBytes = 4;
constexpr size_t kMacBytes = std::tuple_size_v<Nonce> - kBucketBytes;

void put(std::vector<uint8_t>& out, uint64_t value, size_t bytes) {
    for (size_t i = bytes; i-- > 0;) out.push_back(static_cast<uint8_t>(value >> (8 * i)));
}

}  // namespace

CookieJar::CookieJar(std::chrono::seconds period) : period_(period) {
    if (sodium_init() < 0) throw std::runtime_error("sodium_init() failed");
    randombytes_buf(secret_.data(), secret_.size());
}

uint32_t CookieJar::bucket(Time now) const {
    return static_cast<uint32_t>(now.time_since_epoch() / period_);
}

Nonce CookieJar::make(const Contact& contact, Time now) const {
    return make(contact, bucket(now));
}

Nonce CookieJar::make(const Contact& contact, uint32_t bucket) const {
    std::vector<uint8_t> text;
    put(text, bucket, kBucketBytes);
    put(text, contact.tcp ? 1 : 0, 1);
    put(text, contact.endpoint.ip.value, 4);
    put(text, contact.endpoint.port, 2);
    put(text, contact.connection, 8);
    Nonce out{};
    std::copy_n(text.begin(), kBucketBytes, out.begin());
    crypto_generichash(out.data() + kBucketBytes, kMacBytes, text.data(), text.size(),
                       secret_.data(), secret_.size());
    return out;
}

CookieJar::Verdict CookieJar::check(const Nonce& nonce, const Contact& contact, Time now) const {
    const uint32_t made = big_endian::read32(nonce, 0);
    const Nonce expected = make(contact, made);
    if (sodium_memcmp(expected.data(), nonce.data(), nonce.size()) != 0) return Verdict::forged;
    const uint32_t current = bucket(now);
    if (made == current || made + 1 == current) return Verdict::good;
    return Verdict::stale;
}

}  // namespace testbed::punch
