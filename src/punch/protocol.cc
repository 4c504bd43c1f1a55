#include "punch/protocol.h"

#include <fmt/core.h>

#include <algorithm>

#include "base/big_endian.h"

namespace testbed::punch {
namespace {

std::vector<uint8_t> bytes_of(std::string_view s) {
    return {s.begin(), s.end()};
}

template <size_t N>
std::vector<uint8_t> bytes_of(const std::array<uint8_t, N>& a) {
    return {a.begin(), a.end()};
}

std::vector<uint8_t> int32_bytes(uint32_t v) {
    std::vector<uint8_t> out;
    big_endian::append32(out, v);
    return out;
}

std::optional<uint32_t> uint32_of(const stun::Attribute* a) {
    if (!a || a->value.size() != 4) return std::nullopt;
    return big_endian::read32(a->value, 0);
}

std::optional<std::string> id_of(const stun::Message& m, uint16_t type) {
    const stun::Attribute* a = m.find(type);
    if (!a) return std::nullopt;
    std::string id(a->value.begin(), a->value.end());
    if (!valid_peer_id(id)) return std::nullopt;
    return id;
}

template <size_t N>
std::optional<std::array<uint8_t, N>> fixed_of(const stun::Message& m, uint16_t type) {
    const stun::Attribute* a = m.find(type);
    if (!a || a->value.size() != N) return std::nullopt;
    std::array<uint8_t, N> out{};
    std::copy(a->value.begin(), a->value.end(), out.begin());
    return out;
}

/// All XOR'd address attributes of a type; nullopt if one is malformed or
/// there are too many.
std::optional<std::vector<stun::Endpoint>> endpoints_of(const stun::Message& m, uint16_t type) {
    std::vector<stun::Endpoint> out;
    for (const auto& a : m.attributes) {
        if (a.type != type) continue;
        auto e = stun::decode_xor_address(a.value);
        if (!e || out.size() == kMaxPrivateEndpoints) return std::nullopt;
        out.push_back(*e);
    }
    return out;
}

void add_endpoints(stun::Message& m, uint16_t type, const std::vector<stun::Endpoint>& es) {
    for (size_t i = 0; i < es.size() && i < kMaxPrivateEndpoints; ++i)
        m.add_xor_address(type, es[i]);
}

/// An optional XOR'd address: absent is fine, malformed is not (false).
bool optional_endpoint(const stun::Message& m, uint16_t type, std::optional<stun::Endpoint>& out) {
    const stun::Attribute* a = m.find(type);
    if (!a) return true;
    out = stun::decode_xor_address(a->value);
    return out.has_value();
}

stun::Message indication(uint16_t method) {
    stun::Message m;
    m.method = method;
    m.cls = stun::Class::indication;
    m.transaction = stun::new_transaction_id();
    return m;
}

bool is(const stun::Message& m, uint16_t method, stun::Class cls) {
    return m.method == method && m.cls == cls;
}

}  // namespace

bool valid_peer_id(std::string_view id) {
    if (id.empty() || id.size() > kMaxPeerId) return false;
    return std::all_of(id.begin(), id.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               c == '.' || c == '_' || c == '-';
    });
}

stun::Message to_message(const Register& r, const stun::TransactionId& t) {
    stun::Message m;
    m.method = method::register_peer;
    m.cls = stun::Class::request;
    m.transaction = t;
    m.add(attr::peer_id, bytes_of(r.id));
    m.add(attr::public_key, bytes_of(r.key));
    add_endpoints(m, attr::private_endpoint, r.private_endpoints);
    m.add(attr::port_step, int32_bytes(static_cast<uint32_t>(r.port_step)));
    if (r.nonce) m.add(attr::nonce, bytes_of(*r.nonce));
    if (r.proof) m.add(attr::proof, bytes_of(*r.proof));
    if (r.mapped_endpoint) m.add_xor_address(attr::mapped_endpoint, *r.mapped_endpoint);
    return m;
}

stun::Message to_message(const Connect& c, const stun::TransactionId& t) {
    stun::Message m;
    m.method = method::connect;
    m.cls = stun::Class::request;
    m.transaction = t;
    m.add(attr::peer_id, bytes_of(c.target));
    return m;
}

stun::Message to_message(const Introduction& i) {
    stun::Message m = indication(method::introduce);
    m.add(attr::peer_id, bytes_of(i.peer));
    m.add(attr::public_key, bytes_of(i.key));
    m.add_xor_address(attr::public_endpoint, i.public_endpoint);
    add_endpoints(m, attr::private_endpoint, i.private_endpoints);
    m.add(attr::port_step, int32_bytes(static_cast<uint32_t>(i.port_step)));
    m.add(attr::session, bytes_of(i.session));
    if (i.mapped_endpoint) m.add_xor_address(attr::mapped_endpoint, *i.mapped_endpoint);
    return m;
}

stun::Message to_message(const Reversal& r) {
    stun::Message m = indication(method::reversal);
    m.add(attr::peer_id, bytes_of(r.peer));
    return m;
}

stun::Message to_message(const Relay& r) {
    stun::Message m = indication(method::relay);
    m.add(attr::peer_id, bytes_of(r.peer));
    m.add(attr::data, r.data);
    return m;
}

stun::Message to_message(const Syn& s) {
    stun::Message m = indication(method::syn);
    m.add(attr::peer_id, bytes_of(s.peer));
    m.add(attr::sequence, int32_bytes(s.isn));
    m.add(attr::flags, int32_bytes(s.spoof ? 1 : 0));
    return m;
}

stun::Message to_message(const Punch& p) {
    stun::Message m = indication(method::punch);
    m.add(attr::session, bytes_of(p.session));
    m.add(attr::peer_id, bytes_of(p.from));
    m.add(attr::flags, int32_bytes(p.flags));
    m.add(attr::proof, bytes_of(p.proof));
    if (!p.payload.empty()) m.add(attr::data, bytes_of(p.payload));
    m.add(attr::epoch, bytes_of(p.epoch));
    m.add(attr::echo, bytes_of(p.echo));
    if (p.sequence != 0) m.add(attr::sequence, int32_bytes(p.sequence));
    return m;
}

std::optional<Register> register_from(const stun::Message& m) {
    if (!is(m, method::register_peer, stun::Class::request)) return std::nullopt;
    Register r;
    auto id = id_of(m, attr::peer_id);
    auto key = fixed_of<32>(m, attr::public_key);
    auto privates = endpoints_of(m, attr::private_endpoint);
    auto step = uint32_of(m.find(attr::port_step));
    if (!id || !key || !privates || !step) return std::nullopt;
    r.id = *id;
    r.key = *key;
    r.private_endpoints = *privates;
    r.port_step = static_cast<int32_t>(*step);
    if (r.port_step > kMaxPortStep || r.port_step < -kMaxPortStep) return std::nullopt;
    // Optional, but never malformed: a wrong size is a bad request, not "absent".
    r.nonce = fixed_of<std::tuple_size_v<Nonce>>(m, attr::nonce);
    r.proof = fixed_of<64>(m, attr::proof);
    if ((m.find(attr::nonce) && !r.nonce) || (m.find(attr::proof) && !r.proof)) return std::nullopt;
    if (!optional_endpoint(m, attr::mapped_endpoint, r.mapped_endpoint)) return std::nullopt;
    return r;
}

std::optional<Connect> connect_from(const stun::Message& m) {
    if (!is(m, method::connect, stun::Class::request)) return std::nullopt;
    auto id = id_of(m, attr::peer_id);
    if (!id) return std::nullopt;
    return Connect{*id};
}

std::optional<Introduction> introduction_from(const stun::Message& m) {
    if (!is(m, method::introduce, stun::Class::indication)) return std::nullopt;
    auto id = id_of(m, attr::peer_id);
    auto key = fixed_of<32>(m, attr::public_key);
    const stun::Attribute* pub = m.find(attr::public_endpoint);
    auto public_endpoint = pub ? stun::decode_xor_address(pub->value) : std::nullopt;
    auto privates = endpoints_of(m, attr::private_endpoint);
    auto step = uint32_of(m.find(attr::port_step));
    auto session = fixed_of<16>(m, attr::session);
    if (!id || !key || !public_endpoint || !privates || !step || !session) return std::nullopt;
    const auto port_step = static_cast<int32_t>(*step);
    if (port_step > kMaxPortStep || port_step < -kMaxPortStep) return std::nullopt;
    Introduction out{*id, *key, *public_endpoint, *privates, port_step, *session, std::nullopt};
    if (!optional_endpoint(m, attr::mapped_endpoint, out.mapped_endpoint)) return std::nullopt;
    return out;
}

std::optional<Reversal> reversal_from(const stun::Message& m) {
    if (!is(m, method::reversal, stun::Class::indication)) return std::nullopt;
    auto id = id_of(m, attr::peer_id);
    if (!id) return std::nullopt;
    return Reversal{*id};
}

std::optional<Relay> relay_from(const stun::Message& m) {
    if (!is(m, method::relay, stun::Class::indication)) return std::nullopt;
    auto id = id_of(m, attr::peer_id);
    const stun::Attribute* data = m.find(attr::data);
    if (!id || !data) return std::nullopt;
    return Relay{*id, data->value};
}

std::optional<Punch> punch_from(const stun::Message& m) {
    if (!is(m, method::punch, stun::Class::indication)) return std::nullopt;
    auto session = fixed_of<16>(m, attr::session);
    auto from = id_of(m, attr::peer_id);
    auto flags = uint32_of(m.find(attr::flags));
    auto proof = fixed_of<64>(m, attr::proof);
    auto epoch = fixed_of<8>(m, attr::epoch);
    auto echo = fixed_of<8>(m, attr::echo);
    if (!session || !from || !flags || !proof || !epoch || !echo) return std::nullopt;
    Punch p{*session, *from, *flags, *proof, {}, *epoch, *echo};
    if (const stun::Attribute* sequence = m.find(attr::sequence)) {
        auto n = uint32_of(sequence);
        if (!n) return std::nullopt;
        p.sequence = *n;
    }
    if (const stun::Attribute* data = m.find(attr::data))
        p.payload.assign(data->value.begin(), data->value.end());
    return p;
}

std::optional<Syn> syn_from(const stun::Message& m) {
    if (!is(m, method::syn, stun::Class::indication)) return std::nullopt;
    auto id = id_of(m, attr::peer_id);
    auto isn = uint32_of(m.find(attr::sequence));
    auto flags = uint32_of(m.find(attr::flags));
    if (!id || !isn || !flags || *flags > 1) return std::nullopt;
    return Syn{*id, *isn, *flags == 1};
}

std::optional<Nonce> nonce_of(const stun::Message& m) {
    return fixed_of<std::tuple_size_v<Nonce>>(m, attr::nonce);
}

stun::Message error_answer(const stun::Message& request, int code, const std::string& reason) {
    stun::Message m;
    m.method = request.method;
    m.cls = stun::Class::error;
    m.transaction = request.transaction;
    m.add_error(code, reason);
    return m;
}

std::string hex(const uint8_t* bytes, size_t size) {
    std::string out;
    for (size_t i = 0; i < size; ++i) out += fmt::format("{:02x}", bytes[i]);
    return out;
}

}  // namespace testbed::punch
