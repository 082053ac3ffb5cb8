// QR codes of join links: an SVG for screens and a terminal rendering for
// the start-up banner, both from Debian's libqrcodegencpp.
#pragma once

#include <boost/system/result.hpp>

#include <cstddef>
#include <string>
#include <string_view>

namespace fc::http {

// A room link is under 200 bytes; longer text makes a code too dense to
// scan from a phone at a distance, and its render holds the event loop
// longer (measured on a busy 2-core box: ~1.5 ms for a 60-byte link,
// ~8 ms at 512 bytes; the 8 mask trials of qrcodegen dominate).
constexpr std::size_t kMaxQrText = 512;

// An SVG (one path, 4-module quiet zone, dark on white), or
// invalid_argument for empty text and value_too_large beyond kMaxQrText.
boost::system::result<std::string> qr_svg(std::string_view text);

// Unicode half blocks, two module rows per line; empty on error.
std::string qr_terminal(std::string_view text);

} // namespace fc::http
