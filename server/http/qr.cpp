#include "server/http/qr.hpp"

#include <qrcodegen/qrcodegen.hpp>

#include <optional>

namespace fc::http {

namespace {
constexpr int kQuietZone = 4;

std::optional<qrcodegen::QrCode> encode(std::string_view text) {
    if (text.empty() || text.size() > kMaxQrText)
        return std::nullopt;
    try {
        return qrcodegen::QrCode::encodeText(std::string(text).c_str(),
                                             qrcodegen::QrCode::Ecc::MEDIUM);
    } catch (const std::exception&) {
        return std::nullopt; // data_too_long: cannot happen below kMaxQrText
    }
}
} // namespace

boost::system::result<std::string> qr_svg(std::string_view text) {
    if (text.empty())
        return std::make_error_code(std::errc::invalid_argument);
    if (text.size() > kMaxQrText)
        return std::make_error_code(std::errc::value_too_large);
    auto qr = encode(text);
    if (!qr)
        return std::make_error_code(std::errc::value_too_large);
    const int size = qr->getSize();
    const int dim = size + 2 * kQuietZone;
    std::string path;
    path.reserve(static_cast<std::size_t>(size * size) * 6);
    for (int y = 0; y < size; ++y)
        for (int x = 0; x < size; ++x)
            if (qr->getModule(x, y)) {
                path += 'M';
                path += std::to_string(x + kQuietZone);
                path += ',';
                path += std::to_string(y + kQuietZone);
                path += "h1v1h-1z";
            }
    std::string svg = R"(<svg xmlns="http://www.w3.org/2000/svg" version="1.1" viewBox="0 0 )";
    svg += std::to_string(dim) + " " + std::to_string(dim);
    svg +=
        R"(" shape-rendering="crispEdges"><rect width="100%" height="100%" fill="#ffffff"/><path d=")";
    svg += path;
    svg += R"(" fill="#000000"/></svg>)";
    svg += '\n';
    return svg;
}

std::string qr_terminal(std::string_view text) {
    auto qr = encode(text);
    if (!qr)
        return {};
    const int size = qr->getSize();
    // Light modules are drawn (terminals are usually dark), dark ones left
    // blank, so the code reads as dark-on-light to a camera.
    auto dark = [&](int x, int y) {
        return x >= 0 && y >= 0 && x < size && y < size && qr->getModule(x, y);
    };
    std::string out;
    for (int y = -kQuietZone; y < size + kQuietZone; y += 2) {
        for (int x = -kQuietZone; x < size + kQuietZone; ++x) {
            const bool top = !dark(x, y);
            const bool bottom = y + 1 < size + kQuietZone && !dark(x, y + 1);
            if (top && bottom)
                out += "\u2588"; // full block
            else if (top)
                out += "\u2580"; // upper half
            else if (bottom)
                out += "\u2584"; // lower half
            else
                out += ' ';
        }
        out += '\n';
    }
    return out;
}

} // namespace fc::http
