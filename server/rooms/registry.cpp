#include "server/rooms/registry.hpp"

#include "server/rooms/ids.hpp"

#include <algorithm>

namespace fc::rooms {

std::string_view to_string(LeaveReason r) {
    switch (r) {
    case LeaveReason::left:
        return "left";
    case LeaveReason::disconnected:
        return "disconnected";
    case LeaveReason::replaced:
        return "replaced";
    }
    return "left";
}

Registry::Registry(Notifier& notifier, std::size_t max_room_size)
    : notifier_(notifier), max_room_size_(max_room_size) {}

boost::system::result<Joined, Error> Registry::join(ConnId conn, const JoinRequest& req) {
    const std::string room_id(req.room_id);
    // Checked before leaving the current room, so a refused join keeps the
    // connection where it was. Neither the connection itself nor a stale
    // member with its clientId (which is replaced) counts against the limit.
    if (auto it = rooms_.find(room_id); it != rooms_.end()) {
        const auto others = std::count_if(
            it->second.members.begin(), it->second.members.end(),
            [&](const Member& m) { return m.conn != conn && m.client_id != req.client_id; });
        if (static_cast<std::size_t>(others) >= max_room_size_)
            return Error::room_full;
    } else if (max_room_size_ == 0) {
        return Error::room_full;
    }

    leave(conn, LeaveReason::left);
    if (auto it = rooms_.find(room_id); it != rooms_.end()) {
        auto& members = it->second.members;
        auto stale = std::find_if(members.begin(), members.end(),
                                  [&](const Member& m) { return m.client_id == req.client_id; });
        if (stale != members.end()) {
            const ConnId old = stale->conn;
            ++counts_.replacements;
            remove(it->second, static_cast<std::size_t>(stale - members.begin()),
                   LeaveReason::replaced);
            notifier_.replaced(old);
        }
    }
    // The room may have emptied (and gone) with the replacement.
    Room& room = rooms_.try_emplace(room_id, Room{room_id, {}}).first->second;

    auto& members = room.members;
    scratch_.clear();
    for (const auto& m : members)
        scratch_.push_back(m.conn);
    members.push_back(
        Member{conn, new_peer_id(), std::string(req.client_id), std::string(req.display_name)});
    where_[conn] = &room;
    ++counts_.joins;
    notifier_.peer_joined(scratch_, members.back());

    Joined joined;
    joined.self = &members.back();
    joined.peers.reserve(members.size() - 1);
    for (std::size_t i = 0; i + 1 < members.size(); ++i)
        joined.peers.push_back(&members[i]);
    return joined;
}

bool Registry::leave(ConnId conn, LeaveReason reason) {
    auto it = where_.find(conn);
    if (it == where_.end())
        return false;
    Room& room = *it->second;
    auto m = std::find_if(room.members.begin(), room.members.end(),
                          [&](const Member& x) { return x.conn == conn; });
    remove(room, static_cast<std::size_t>(m - room.members.begin()), reason);
    return true;
}

void Registry::remove(Room& room, std::size_t index, LeaveReason reason) {
    auto& members = room.members;
    Member gone = std::move(members[index]);
    members.erase(members.begin() + static_cast<std::ptrdiff_t>(index));
    where_.erase(gone.conn);
    ++counts_.leaves;
    if (members.empty()) {
        rooms_.erase(rooms_.find(room.id)); // `room` is gone from here on
        return;
    }
    scratch_.clear();
    for (const auto& m : members)
        scratch_.push_back(m.conn);
    notifier_.peer_left(scratch_, gone.peer_id, reason);
}

std::optional<ConnId> Registry::route(ConnId from, std::string_view peer_id) const {
    auto it = where_.find(from);
    if (it == where_.end())
        return std::nullopt;
    for (const auto& m : it->second->members)
        if (m.peer_id == peer_id && m.conn != from)
            return m.conn;
    return std::nullopt;
}

const Member* Registry::member(ConnId conn) const {
    auto it = where_.find(conn);
    if (it == where_.end())
        return nullptr;
    for (const auto& m : it->second->members)
        if (m.conn == conn)
            return &m;
    return nullptr;
}

} // namespace fc::rooms
