#pragma once
/// Which public address a NAT gives a new mapping, as nftables expressions
/// (RFC 4787 §4.1, IP address pooling). With one address that is the
/// address; with a pool, `paired` gives each inside host its own address
/// (the i-th inside address in order the (i mod n)-th public one, as port
/// blocks are handed out, so a run is reproducible) and `arbitrary` the
/// next in turn for every new connection (a counter, so two mappings made
/// one after the other leave from different addresses). Pure text.

#include <string>
#include <vector>

#include "base/ipv4.h"
#include "model/nat.h"

namespace testbed {

class AddressPool {
  public:
    /// `addresses`: the wan's, the first the router's own (routes, ICMP);
    /// `inside`: every address on the lans, sorted.
    AddressPool(std::vector<Ipv4> addresses, std::vector<Ipv4> inside, Pooling pooling);

    bool pooled() const { return addresses_.size() > 1; }
    /// A new mapping may leave from another address than the host's last.
    bool arbitrary() const { return pooled() && pooling_ == Pooling::arbitrary; }
    /// The first address: what masquerade takes, and hairpinning without pairs.
    std::string primary() const { return addresses_.front().str(); }

    /// The address of a new mapping from any inside host, for `snat ip to`.
    /// With paired pooling a source not on the lans (behind a router that
    /// routes) finds no entry: the rule does not match and a later one
    /// (masquerade, the first address) takes it.
    std::string for_new_mapping() const;
    /// The address of a new mapping from `inside` (rules per inside host).
    std::string for_inside(Ipv4 inside) const;
    /// The source of a hairpinned packet (REQ-9): the sender's own public
    /// address where it is fixed (one address, paired), else the first,
    /// which `hairpin_exact()` says.
    std::string hairpin_source() const;
    bool hairpin_exact() const { return !arbitrary(); }
    /// `203.0.113.10` or `{ 203.0.113.10, 203.0.113.11 }`, to match a destination.
    std::string match() const;

  private:
    std::string paired_map() const;

    std::vector<Ipv4> addresses_;
    std::vector<Ipv4> inside_;
    Pooling pooling_;
};

}  // namespace testbed
