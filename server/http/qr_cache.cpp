#include "server/http/qr_cache.hpp"

namespace fc::http {

const std::string* QrCache::find(std::string_view text) {
    const auto it = index_.find(text);
    if (it == index_.end())
        return nullptr;
    entries_.splice(entries_.begin(), entries_, it->second);
    return &it->second->svg;
}

void QrCache::put(std::string_view text, std::string svg) {
    if (capacity_ == 0)
        return;
    if (const auto it = index_.find(text); it != index_.end()) {
        it->second->svg = std::move(svg);
        entries_.splice(entries_.begin(), entries_, it->second);
        return;
    }
    entries_.push_front(Entry{std::string(text), std::move(svg)});
    index_.emplace(entries_.front().text, entries_.begin());
    if (entries_.size() > capacity_) {
        index_.erase(entries_.back().text);
        entries_.pop_back();
    }
}

} // namespace fc::http
