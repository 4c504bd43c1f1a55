// UPnP IGD through libminiupnpc: SSDP discovery on the lan, then SOAP
// calls to the gateway's WANIPConnection service. The gateway found is
// kept for the client's life (renewals and the removal reuse it).

#include <fmt/core.h>
#include <miniupnpc/miniupnpc.h>
#include <miniupnpc/upnpcommands.h>
#include <miniupnpc/upnperrors.h>

#include <random>
#include <string>

#include "programs/portmap/clients.h"

namespace testbed::programs::portmap {
namespace {

constexpr const char* kIgd = "urn:schemas-upnp-org:device:InternetGatewayDevice:1";
constexpr const char* kDescription = "testbed peer";
/// UPnP's error for an external port another client holds.
constexpr int kConflictInMappingEntry = 718;
/// SSDP's multicast TTL (miniupnpc's default): the lan only.
constexpr unsigned char kSsdpTtl = 2;

std::string upnp_error(int code) {
    const char* text = strupnperror(code);
    return text ? fmt::format("{} {}", code, text) : fmt::format("error {}", code);
}

/// A discovered Internet Gateway Device: its control URL and service type.
class Igd {
  public:
    Igd() = default;
    ~Igd() {
        if (found_) FreeUPNPUrls(&urls_);
    }
    Igd(const Igd&) = delete;
    Igd& operator=(const Igd&) = delete;

    /// Searches the lan for `wait`; an error text when no gateway answers.
    std::optional<std::string> discover(Duration wait) {
        int error = 0;
        UPNPDev* devices =
            upnpDiscoverDevice(kIgd, static_cast<int>(std::max<int64_t>(wait.count(), 1)), nullptr,
                               nullptr, UPNP_LOCAL_PORT_ANY, 0, kSsdpTtl, &error);
        if (!devices)
            return fmt::format("no UPnP gateway answered SSDP discovery within {}",
                               format_duration(wait));
        char lan[64] = {};
        const int valid = UPNP_GetValidIGD(devices, &urls_, &data_, lan, sizeof lan);
        freeUPNPDevlist(devices);
        if (valid != 0) found_ = true;
        if (valid != 1 && valid != 2)
            return valid == 0
                       ? std::string("a UPnP device answered, but no Internet Gateway Device")
                       : std::string("a UPnP device answered, but it is not an IGD");
        lan_address_ = lan;
        return std::nullopt;
    }

    const char* control() const { return urls_.controlURL; }
    const char* service() const { return data_.first.servicetype; }
    const std::string& lan_address() const { return lan_address_; }

  private:
    UPNPUrls urls_{};
    IGDdatas data_{};
    bool found_ = false;
    std::string lan_address_;
};

class UpnpClient final : public GatewayClient {
  public:
    Protocol protocol() const override { return Protocol::upnp; }

    Reply<Ipv4> external_address(Duration wait) override {
        if (auto why = find(wait)) return *why;
        char text[40] = {};
        const int rc = UPNP_GetExternalIPAddress(igd_->control(), igd_->service(), text);
        if (rc != UPNPCOMMAND_SUCCESS) return "GetExternalIPAddress: " + upnp_error(rc);
        auto address = Ipv4::parse(text);
        if (!address) return fmt::format("GetExternalIPAddress: not an IPv4 address: '{}'", text);
        return *address;
    }

    Reply<Lease> map(Transport transport, uint16_t internal_port, uint32_t lifetime_s,
                     Duration wait) override {
        auto address = external_address(wait);
        if (auto* why = std::get_if<std::string>(&address)) return *why;
        const char* proto = transport == Transport::tcp ? "TCP" : "UDP";
        uint16_t external = mapped_ ? mapped_->external : internal_port;
        int rc = add(external, internal_port, proto, lifetime_s);
        if (rc == kConflictInMappingEntry && !mapped_) {
            // Another host holds this external port: any other will do.
            std::random_device random;
            external = static_cast<uint16_t>(20000 + random() % 40000);
            rc = add(external, internal_port, proto, lifetime_s);
        }
        if (rc != UPNPCOMMAND_SUCCESS) return "AddPortMapping: " + upnp_error(rc);
        mapped_ = Mapped{proto, external};
        return Lease{Protocol::upnp, {std::get<Ipv4>(address), external}, lifetime_s};
    }

    void unmap() override {
        if (!mapped_ || !igd_) return;
        const std::string port = std::to_string(mapped_->external);
        (void)UPNP_DeletePortMapping(igd_->control(), igd_->service(), port.c_str(), mapped_->proto,
                                     nullptr);
        mapped_.reset();
    }

  private:
    struct Mapped {
        const char* proto;
        uint16_t external;
    };

    std::optional<std::string> find(Duration wait) {
        if (igd_) return std::nullopt;
        auto igd = std::make_unique<Igd>();
        if (auto why = igd->discover(wait)) return why;
        igd_ = std::move(igd);
        return std::nullopt;
    }

    int add(uint16_t external, uint16_t internal, const char* proto, uint32_t lifetime_s) {
        const std::string ext = std::to_string(external);
        const std::string in = std::to_string(internal);
        const std::string lease = std::to_string(lifetime_s);
        return UPNP_AddPortMapping(igd_->control(), igd_->service(), ext.c_str(), in.c_str(),
                                   igd_->lan_address().c_str(), kDescription, proto, nullptr,
                                   lease.c_str());
    }

    std::unique_ptr<Igd> igd_;
    std::optional<Mapped> mapped_;
};

}  // namespace

std::unique_ptr<GatewayClient> make_upnp_client() {
    return std::make_unique<UpnpClient>();
}

}  // namespace testbed::programs::portmap
