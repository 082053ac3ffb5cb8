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

// Notifications gathered while the registry changes, delivered once it is
// consistent again. The Notifier sends to sockets, and a send could (with
// a transport that tears sessions down synchronously) re-enter leave():
// each notice owns its recipient list and what it tells, so that re-entry
// can neither rewrite a list being delivered nor free a Room being read.
class Registry::Outbox {
public:
    void joined(std::vector<ConnId> to, Member who) {
        notices_.push_back({Kind::joined, std::move(to), std::move(who), LeaveReason::left});
    }
    void left(std::vector<ConnId> to, Member who, LeaveReason reason) {
        notices_.push_back({Kind::left, std::move(to), std::move(who), reason});
    }
    void replaced(ConnId conn) {
        notices_.push_back(
            {Kind::replaced, {}, Member{conn, {}, {}, {}, {}}, LeaveReason::replaced});
    }

    void deliver(Notifier& notifier) const {
        for (const auto& n : notices_) {
            switch (n.kind) {
            case Kind::joined:
                notifier.peer_joined(n.to, n.who);
                break;
            case Kind::left:
                notifier.peer_left(n.to, n.who.peer_id, n.reason);
                break;
            case Kind::replaced:
                notifier.replaced(n.who.conn);
                break;
            }
        }
    }

private:
    enum class Kind { joined, left, replaced };
    struct Notice {
        Kind kind;
        std::vector<ConnId> to;
        Member who;
        LeaveReason reason;
    };
    std::vector<Notice> notices_;
};

namespace {
std::vector<ConnId> conns_of(const std::vector<Member>& members) {
    std::vector<ConnId> to;
    to.reserve(members.size());
    for (const auto& m : members)
        to.push_back(m.conn);
    return to;
}
} // namespace

Registry::Registry(Notifier& notifier, std::size_t max_room_size,
                   std::function<Clock::time_point()> clock)
    : notifier_(notifier), max_room_size_(max_room_size), clock_(std::move(clock)) {}

boost::system::result<Joined, Error> Registry::join(ConnId conn, const JoinRequest& req) {
    const std::string room_id(req.room_id);
    std::optional<TokenDigest> token;
    if (!req.resume_token.empty())
        token = digest_token(req.resume_token);

    // Checked before anything changes, so a refused join keeps the
    // connection where it was and tells no one anything. The identity
    // check comes first: a full room must not reveal whether a clientId is
    // protected, and a protected one must not be taken just because the
    // room has space.
    if (auto it = rooms_.find(room_id); it != rooms_.end()) {
        Room& room = it->second;
        const auto now = clock_();
        std::erase_if(room.reserved, [&](const Reservation& r) { return r.until <= now; });
        if (!may_take(room, conn, req, token))
            return Error::client_id_taken;
        // Neither the connection itself nor a stale member with its
        // clientId (which is replaced) counts against the limit.
        const auto others =
            std::count_if(room.members.begin(), room.members.end(), [&](const Member& m) {
                return m.conn != conn && m.client_id != req.client_id;
            });
        if (static_cast<std::size_t>(others) >= max_room_size_)
            return Error::room_full;
    } else if (max_room_size_ == 0) {
        return Error::room_full;
    }

    Outbox out;
    take_out(conn, LeaveReason::left, out);
    // Looked up again: leaving may have emptied (and erased) this room.
    if (auto it = rooms_.find(room_id); it != rooms_.end()) {
        auto& members = it->second.members;
        auto stale = std::find_if(members.begin(), members.end(),
                                  [&](const Member& m) { return m.client_id == req.client_id; });
        if (stale != members.end()) {
            const ConnId old = stale->conn;
            ++counts_.replacements;
            remove(it->second, static_cast<std::size_t>(stale - members.begin()),
                   LeaveReason::replaced, out);
            out.replaced(old);
        }
    }
    // The room may have emptied (and gone) with the replacement.
    Room& room = rooms_.try_emplace(room_id, Room{room_id, {}, {}}).first->second;
    std::erase_if(room.reserved,
                  [&](const Reservation& r) { return r.client_id == req.client_id; });

    Joined joined{Member{conn, new_peer_id(), std::string(req.client_id),
                         std::string(req.display_name), token},
                  room.members};
    out.joined(conns_of(room.members), joined.self);
    room.members.push_back(joined.self);
    where_[conn] = &room;
    ++counts_.joins;

    out.deliver(notifier_);
    return joined;
}

bool Registry::may_take(const Room& room, ConnId conn, const JoinRequest& req,
                        const std::optional<TokenDigest>& token) const {
    const auto proven = [&](const TokenDigest& kept) { return token && same_digest(kept, *token); };
    for (const auto& m : room.members)
        if (m.client_id == req.client_id && m.conn != conn && m.token && !proven(*m.token))
            return false;
    for (const auto& r : room.reserved)
        if (r.client_id == req.client_id && !proven(r.token))
            return false;
    return true;
}

bool Registry::leave(ConnId conn, LeaveReason reason) {
    Outbox out;
    if (!take_out(conn, reason, out))
        return false;
    out.deliver(notifier_);
    return true;
}

bool Registry::take_out(ConnId conn, LeaveReason reason, Outbox& out) {
    auto it = where_.find(conn);
    if (it == where_.end())
        return false;
    Room& room = *it->second;
    auto m = std::find_if(room.members.begin(), room.members.end(),
                          [&](const Member& x) { return x.conn == conn; });
    remove(room, static_cast<std::size_t>(m - room.members.begin()), reason, out);
    return true;
}

void Registry::remove(Room& room, std::size_t index, LeaveReason reason, Outbox& out) {
    auto& members = room.members;
    Member gone = std::move(members[index]);
    members.erase(members.begin() + static_cast<std::ptrdiff_t>(index));
    where_.erase(gone.conn);
    ++counts_.leaves;
    if (members.empty()) {
        // Reservations go with the room: with no one left, there is no one
        // to impersonate anybody to.
        rooms_.erase(rooms_.find(room.id)); // `room` is gone from here on
        return;
    }
    // Only a lost connection reserves: one that left said it was done,
    // and a replaced one's identity lives on in its replacement.
    if (reason == LeaveReason::disconnected && gone.token)
        reserve(room, gone);
    out.left(conns_of(members), std::move(gone), reason);
}

void Registry::reserve(Room& room, const Member& gone) {
    auto& reserved = room.reserved;
    std::erase_if(reserved, [&](const Reservation& r) { return r.client_id == gone.client_id; });
    // Bounded like the room: a member cycling through clientIds cannot
    // grow it, and the oldest reservation is the least likely to return.
    while (!reserved.empty() && reserved.size() >= max_room_size_)
        reserved.erase(reserved.begin());
    reserved.push_back(Reservation{gone.client_id, *gone.token, clock_() + kReservationGrace});
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

bool Registry::holds(std::string_view room_id, std::string_view client_id,
                     std::string_view token) const {
    if (token.empty())
        return false;
    auto it = rooms_.find(std::string(room_id));
    if (it == rooms_.end())
        return false;
    for (const auto& m : it->second.members)
        if (m.client_id == client_id)
            return m.token && same_digest(*m.token, digest_token(token));
    return false;
}

} // namespace fc::rooms
