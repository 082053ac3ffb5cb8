// The cross-node message decoder (server/cluster/wire.hpp): whatever
// another node (or anyone who can PUBLISH to Redis) sends, decode() either
// refuses it or returns a message that encodes back to the same bytes.
#include "server/cluster/wire.hpp"

#include <cstdint>
#include <cstdlib>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view in(reinterpret_cast<const char*>(data), size);
    auto m = fc::cluster::decode(in);
    if (!m)
        return 0;
    const std::string again = fc::cluster::encode(*m);
    auto m2 = fc::cluster::decode(again);
    if (!m2 || fc::cluster::encode(*m2) != again)
        std::abort();
    // One message, one encoding: numbers have no leading zeros or signs and
    // every field is a netstring, so the bytes come back unchanged.
    if (again != in)
        std::abort();
    return 0;
}
