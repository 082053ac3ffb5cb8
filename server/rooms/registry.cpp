#include "server/rooms/registry.hpp"

#include "server/rooms/ids.hpp"

#include <algorithm>

namespace fc::rooms {

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

Registry::Registry(std::size_t max_room_size, std::function<Clock::time_point()> clock)
    : max_room_size_(max_room_size), clock_(std::move(clock)) {}

void Registry::join(ConnId conn, const JoinRequest& req, JoinHandler done) {
    done(decide(conn, req));
}

void Registry::deliver(const Outbox& out) const {
    if (notifier_)
        out.deliver(*notifier_);
}

Registry::JoinResult Registry::decide(ConnId conn, const JoinRequest& req) {
    const std::string room_id(req.room_id);
    std::optional<TokenDigest> token;
    if (!req.resume_token.empty())
        token = digest_token(req.resume_token);
    const auto now = clock_();
    prune_orphans(now);
    const auto expired = [&](const Reservation& r) { return r.until <= now; };

    // Checked before anything changes, so a refused join keeps the
    // connection where it was and tells no one anything. The identity
    // check comes first: a full room must not reveal whether a clientId is
    // protected, and a protected one must not be taken just because the
    // room has space.
    auto it = rooms_.find(room_id);
    auto orphaned = it == rooms_.end() ? orphans_.find(room_id) : orphans_.end();
    if (it != rooms_.end())
        std::erase_if(it->second.reserved, expired);
    if (orphaned != orphans_.end())
        std::erase_if(orphaned->second, expired);
    if (!may_take(it == rooms_.end() ? nullptr : &it->second,
                  orphaned == orphans_.end() ? nullptr : &orphaned->second, conn, req, token))
        return Error::client_id_taken;
    if (it != rooms_.end()) {
        // Neither the connection itself nor a stale member with its
        // clientId (which is replaced) counts against the limit.
        const auto others = std::count_if(
            it->second.members.begin(), it->second.members.end(),
            [&](const Member& m) { return m.conn != conn && m.client_id != req.client_id; });
        if (static_cast<std::size_t>(others) >= max_room_size_)
            return Error::room_full;
    } else if (max_room_size_ == 0) {
        return Error::room_full;
    }

    Outbox out;
    take_out(conn, LeaveReason::left, out);
    // Looked up again: leaving may have emptied (and erased) this room.
    if (auto again = rooms_.find(room_id); again != rooms_.end()) {
        auto& members = again->second.members;
        auto stale = std::find_if(members.begin(), members.end(),
                                  [&](const Member& m) { return m.client_id == req.client_id; });
        if (stale != members.end()) {
            const ConnId old = stale->conn;
            ++counts_.replacements;
            remove(again->second, static_cast<std::size_t>(stale - members.begin()),
                   LeaveReason::replaced, out);
            out.replaced(old);
        }
    }
    // The room may have emptied (and gone) with the replacement.
    auto [at, created] = rooms_.try_emplace(room_id, Room{room_id, {}, {}});
    Room& room = at->second;
    if (created) {
        // A room that comes back takes up the reservations it left behind
        // (looked up again: leaving above may have just made them).
        if (auto o = orphans_.find(room_id); o != orphans_.end()) {
            room.reserved = std::move(o->second);
            orphans_.erase(o);
        }
    }
    std::erase_if(room.reserved,
                  [&](const Reservation& r) { return r.client_id == req.client_id; });

    Joined joined{Member{conn, new_peer_id(), std::string(req.client_id),
                         std::string(req.display_name), token, now},
                  room.members};
    out.joined(conns_of(room.members), joined.self);
    room.members.push_back(joined.self);
    where_[conn] = &room;
    ++counts_.joins;

    deliver(out);
    return joined;
}

bool Registry::may_take(const Room* room, const Reservations* orphaned, ConnId conn,
                        const JoinRequest& req, const std::optional<TokenDigest>& token) const {
    const auto proven = [&](const TokenDigest& kept) { return token && same_digest(kept, *token); };
    if (room)
        for (const auto& m : room->members)
            if (m.client_id == req.client_id && m.conn != conn && m.token && !proven(*m.token))
                return false;
    for (const Reservations* list : {room ? &room->reserved : nullptr, orphaned})
        if (list)
            for (const auto& r : *list)
                if (r.client_id == req.client_id && !proven(r.token))
                    return false;
    return true;
}

bool Registry::leave(ConnId conn, LeaveReason reason) {
    Outbox out;
    if (!take_out(conn, reason, out))
        return false;
    deliver(out);
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
    // Only a lost connection reserves: one that left said it was done,
    // and a replaced one's identity lives on in its replacement.
    if (reason == LeaveReason::disconnected && gone.token)
        reserve(room, gone);
    if (members.empty()) {
        orphan(room);
        rooms_.erase(rooms_.find(room.id)); // `room` is gone from here on
        return;
    }
    out.left(conns_of(members), std::move(gone), reason);
}

void Registry::reserve(Room& room, const Member& gone) {
    const auto now = clock_();
    auto& reserved = room.reserved;
    std::erase_if(reserved, [&](const Reservation& r) {
        return r.client_id == gone.client_id || r.until <= now;
    });
    Reservation fresh{gone.client_id, *gone.token, now + kReservationGrace, now - gone.joined_at};
    // Bounded like the room. When full, the reservation of whoever stayed
    // the shortest goes, and only for someone who stayed longer: a member
    // cycling through clientIds (join, drop, join...) pushes out only its
    // own reservations, never those of people who were really there.
    if (reserved.size() >= std::max<std::size_t>(max_room_size_, 1)) {
        auto shortest = std::min_element(
            reserved.begin(), reserved.end(),
            [](const Reservation& a, const Reservation& b) { return a.stayed < b.stayed; });
        if (shortest->stayed >= fresh.stayed)
            return;
        reserved.erase(shortest);
    }
    reserved.push_back(std::move(fresh));
}

void Registry::orphan(Room& room) {
    if (room.reserved.empty())
        return;
    Clock::time_point last{};
    for (const auto& r : room.reserved)
        last = std::max(last, r.until);
    orphan_order_.emplace_back(last, room.id);
    orphans_[room.id] = std::move(room.reserved);
}

void Registry::prune_orphans(Clock::time_point now) {
    // Rooms empty in time order and every reservation lasts the same
    // grace, so the front of the queue expires first: a few steps per join.
    while (!orphan_order_.empty() && orphan_order_.front().first <= now) {
        auto o = orphans_.find(orphan_order_.front().second);
        if (o != orphans_.end()) {
            std::erase_if(o->second, [&](const Reservation& r) { return r.until <= now; });
            if (o->second.empty())
                orphans_.erase(o);
        }
        orphan_order_.pop_front();
    }
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
