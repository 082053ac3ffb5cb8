// The SVGs of recently asked QR codes, least recently used out first: a
// room link's code is asked by every phone that opens the room, and a
// render costs the event loop milliseconds that a lookup does not.
#pragma once

#include <cstddef>
#include <list>
#include <string>
#include <string_view>
#include <unordered_map>

namespace fc::http {

class QrCache {
public:
    // 64 codes of at most kMaxQrText bytes are at most ~4 MB of SVG, and
    // cover the rooms whose QR a screen or a phone shows at one time.
    static constexpr std::size_t kDefaultCapacity = 64;

    explicit QrCache(std::size_t capacity = kDefaultCapacity) : capacity_(capacity) {}
    QrCache(const QrCache&) = delete;
    QrCache& operator=(const QrCache&) = delete;

    // The SVG for `text`, now the most recently used; null if absent. Valid
    // until the next put().
    const std::string* find(std::string_view text);
    // Stores a render, dropping the least recently used beyond capacity.
    void put(std::string_view text, std::string svg);
    std::size_t size() const { return entries_.size(); }

private:
    struct Entry {
        std::string text;
        std::string svg;
    };
    std::size_t capacity_;
    // Most recent first; list nodes never move, so the index may view
    // their text.
    std::list<Entry> entries_;
    std::unordered_map<std::string_view, std::list<Entry>::iterator> index_;
};

} // namespace fc::http
