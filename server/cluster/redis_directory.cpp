#include "server/cluster/redis_directory.hpp"

#include "server/base/log.hpp"
#include "server/cluster/scripts.hpp"
#include "server/redis/client.hpp"
#include "server/redis/subscriber.hpp"
#include "server/rooms/ids.hpp"
#include "server/rooms/resume_token.hpp"

#include <openssl/evp.h>
#include <openssl/sha.h>

#include <algorithm>
#include <charconv>

namespace fc::cluster {

namespace asio = boost::asio;
using rooms::ConnId;
using rooms::LeaveReason;

namespace {

std::string hex(const unsigned char* p, std::size_t n) {
    static constexpr char digits[] = "0123456789abcdef";
    std::string out(n * 2, '0');
    for (std::size_t i = 0; i < n; ++i) {
        out[2 * i] = digits[p[i] >> 4];
        out[2 * i + 1] = digits[p[i] & 15];
    }
    return out;
}

template <class Int> std::optional<Int> number(std::string_view s) {
    Int v{};
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc{} || p != s.data() + s.size())
        return std::nullopt;
    return v;
}

// "<node> <conn> <peerId> <joinedMs> <token|->", as the scripts write it.
struct Record {
    std::string node;
    std::uint64_t conn = 0;
    std::string peer;
    std::string token;
};
std::optional<Record> parse_record(std::string_view s) {
    std::string_view f[5];
    for (int i = 0; i < 5; ++i) {
        auto sp = s.find(' ');
        if ((sp == std::string_view::npos) != (i == 4))
            return std::nullopt;
        f[i] = s.substr(0, sp);
        s = sp == std::string_view::npos ? std::string_view{} : s.substr(sp + 1);
    }
    auto conn = number<std::uint64_t>(f[1]);
    if (!conn || f[0].empty() || f[2].empty())
        return std::nullopt;
    return Record{std::string(f[0]), *conn, std::string(f[2]),
                  f[4] == "-" ? std::string() : std::string(f[4])};
}

std::string reply_text(const redis::Reply& r) {
    return r.type == redis::Reply::Type::integer ? std::to_string(r.integer) : r.str;
}

} // namespace

RedisDirectory::RedisDirectory(asio::any_io_executor ex, redis::Client& commands,
                               redis::Subscriber& events, DirectorySettings settings,
                               std::function<rooms::Clock::time_point()> clock)
    : ex_(ex), cmd_(commands), sub_(events), settings_(std::move(settings)), clock_(std::move(clock)),
      clock_start_(clock_()), real_start_(rooms::Clock::now()), ticker_(ex),
      self_(std::make_shared<RedisDirectory*>(this)) {}

RedisDirectory::~RedisDirectory() {
    self_.reset();
    ticker_.cancel();
    if (started_) {
        sub_.unsubscribe("fc:n:" + settings_.node);
        sub_.unsubscribe("fc:hello");
    }
}

std::string RedisDirectory::room_key(std::string_view room_id) {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    std::string in = "festival-chat room ";
    in.append(room_id);
    EVP_Digest(in.data(), in.size(), md, &len, EVP_sha256(), nullptr);
    return hex(md, 16);
}

std::int64_t RedisDirectory::skew_ms() const {
    using namespace std::chrono;
    const auto moved = (clock_() - clock_start_) - (rooms::Clock::now() - real_start_);
    // Rounded, not truncated: the two clocks are read a few nanoseconds
    // apart, and a clock moved by exactly 10 minutes must not count as
    // 9:59.999 (a reservation would outlive its grace by a millisecond).
    return round<milliseconds>(moved).count();
}

// EVALSHA: a join sends its script's 40-character digest, not its
// 3 KB text (at thousands of joins a second that text was most of the
// bytes, and of the memory held in queues). The scripts are loaded
// whenever the connection comes up (load_scripts(), before anything else
// on it); if Redis still does not know one (its cache flushed by hand),
// the text goes once, and Redis keeps it again.
void RedisDirectory::eval(const std::string& script, std::vector<std::string> args,
                          std::function<void(const redis::Reply&)> done) {
    auto shared = std::make_shared<std::vector<std::string>>(std::move(args));
    std::vector<std::string_view> argv;
    argv.reserve(shared->size() + 3);
    argv.push_back("EVALSHA");
    argv.push_back(sha_of(script));
    argv.push_back("0");
    for (const auto& a : *shared)
        argv.push_back(a);
    cmd_.command(argv, [weak = std::weak_ptr(self_), &script, shared,
                        done = std::move(done)](const redis::Reply& r) {
        auto self = weak.lock();
        if (!self)
            return;
        if (!r.is_error() || !r.str.starts_with("NOSCRIPT"))
            return done(r);
        std::vector<std::string_view> again{"EVAL", script, "0"};
        for (const auto& a : *shared)
            again.push_back(a);
        (*self)->cmd_.command(again, [weak, done](const redis::Reply& r2) {
            if (weak.lock())
                done(r2);
        });
    });
}

const std::string& RedisDirectory::sha_of(const std::string& script) {
    auto& sha = shas_[&script];
    if (sha.empty()) {
        unsigned char md[SHA_DIGEST_LENGTH];
        SHA1(reinterpret_cast<const unsigned char*>(script.data()), script.size(), md);
        sha = hex(md, sizeof md);
    }
    return sha;
}

void RedisDirectory::load_scripts() {
    for (const std::string* script :
         {&scripts::kJoin, &scripts::kLeave, &scripts::kTick, &scripts::kSync, &scripts::kSnapshot})
        cmd_.command({"SCRIPT", "LOAD", *script}, [](const redis::Reply&) {});
}

void RedisDirectory::start() {
    started_ = true;
    std::weak_ptr weak = self_;
    sub_.subscribe("fc:n:" + settings_.node, [weak](std::string_view bytes) {
        if (auto self = weak.lock())
            (*self)->on_message(bytes);
    });
    sub_.subscribe("fc:hello", [weak](std::string_view hello) {
        auto self = weak.lock();
        const auto space = hello.find(' ');
        if (!self || space == std::string_view::npos || space == 0)
            return;
        RedisDirectory& d = **self;
        const std::string node(hello.substr(0, space));
        d.nodes_[node] = std::string(hello.substr(space + 1));
        d.dead_.erase(node);
    });
    auto state = [weak](bool) {
        if (auto self = weak.lock())
            (*self)->on_state();
    };
    cmd_.on_state(state);
    sub_.on_state(state);
    tick();
}

// --- Redis coming and going -------------------------------------------------

void RedisDirectory::on_state() {
    const bool up = cmd_.connected() && sub_.connected();
    if (!up && !degraded_) {
        degraded_ = true;
        log::warn("redis unreachable: serving this node's rooms only",
                  {{"rooms", std::to_string(rooms_.size())}});
        // Joins Redis accepted whose own notice may now never arrive (it
        // was published while our subscription was down) are decided
        // here; the next sync puts them right.
        std::vector<ConnId> stuck;
        for (const auto& [conn, p] : pending_)
            if (p.replied && !p.in_mirror && !p.cancelled)
                stuck.push_back(conn);
        for (ConnId conn : stuck) {
            auto it = pending_.find(conn);
            Pending p = std::move(it->second);
            pending_.erase(it);
            join_locally(conn, std::move(p));
        }
    } else if (up && degraded_) {
        load_scripts();
        beat(); // (the other nodes learn of this one at once)
        sync();
    }
}

void RedisDirectory::sync() {
    // Everyone of ours goes back (a clientId taken meanwhile elsewhere
    // stays there), then every mirrored room is read again. Joins and
    // leaves decided here while that runs (still without Redis) would be
    // missed: then it runs again.
    const std::uint64_t seen = offline_changes_;
    std::vector<std::string> args{settings_.node, std::to_string(settings_.max_room_size),
                                  std::to_string(settings_.grace.count()),
                                  std::to_string(skew_ms()), "0"};
    std::size_t count = 0;
    for (const auto& [conn, room] : where_) {
        for (const auto& e : room->members) {
            if (!e.local() || e.m.conn != conn)
                continue;
            args.insert(args.end(), {room->rid, std::to_string(conn), e.m.client_id, e.m.peer_id,
                                     std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(
                                                        std::chrono::system_clock::now().time_since_epoch())
                                                        .count()),
                                     e.token.empty() ? "-" : e.token, e.m.display_name});
            ++count;
        }
    }
    args[4] = std::to_string(count);
    eval(scripts::kSync, std::move(args), [this, seen](const redis::Reply& r) {
        if (r.is_error()) {
            log::warn("redis sync failed", {{"error", r.str}});
            return; // still degraded; the next reconnect tries again
        }
        Notices out;
        for (const auto& e : r.elements) {
            auto conn = number<ConnId>(reply_text(e));
            Room* room = conn ? room_of_local(*conn) : nullptr;
            auto index = room ? local_index(*room, *conn) : std::nullopt;
            if (!index)
                continue;
            ++counts_.replacements;
            out.push_back([this, c = *conn] {
                if (notifier_)
                    notifier_->replaced(c);
            });
            drop(*room, *index, LeaveReason::replaced, out);
        }
        deliver(out);
        std::vector<std::string> rids;
        for (const auto& [rid, room] : rooms_)
            rids.push_back(rid);
        if (offline_changes_ != seen)
            return sync();
        if (rids.empty()) {
            degraded_ = false;
            ++stats_.resyncs;
            log::info("redis reachable: rooms shared", {});
            return;
        }
        eval(scripts::kSnapshot, rids, [this, rids, seen](const redis::Reply& s) {
            if (offline_changes_ != seen)
                return sync();
            on_snapshot(rids, s);
        });
    });
}

void RedisDirectory::on_snapshot(const std::vector<std::string>& rids, const redis::Reply& r) {
    if (r.is_error() || r.type != redis::Reply::Type::array) {
        log::warn("redis snapshot failed", {{"error", r.str}});
        return;
    }
    // A room gone since it was asked for (its last member left) is skipped.
    Notices out;
    std::size_t i = 0;
    for (const auto& snap : r.elements) {
        if (i >= rids.size())
            break;
        const std::string& rid = rids[i++];
        if (snap.elements.empty() || !rooms_.count(rid))
            continue;
        std::vector<std::pair<std::string, std::string>> records;
        for (std::size_t k = 1; k + 1 < snap.elements.size(); k += 2)
            records.emplace_back(snap.elements[k].str, snap.elements[k + 1].str);
        init_mirror(rid, static_cast<std::uint64_t>(snap.elements[0].integer), records, true, out);
    }
    degraded_ = false;
    ++stats_.resyncs;
    log::info("redis reachable: rooms shared", {{"rooms", std::to_string(rooms_.size())}});
    deliver(out);
}

void RedisDirectory::tick() {
    beat();
    ticker_.expires_after(settings_.tick);
    ticker_.async_wait([weak = std::weak_ptr(self_)](boost::system::error_code ec) {
        if (auto self = weak.lock(); self && !ec)
            (*self)->tick();
    });
}

void RedisDirectory::beat() {
    if (!cmd_.connected())
        return;
    eval(scripts::kTick,
         {settings_.node, settings_.address, std::to_string(settings_.ttl.count()),
          std::to_string(settings_.grace.count()), std::to_string(settings_.max_room_size),
          std::to_string(skew_ms())},
         [this](const redis::Reply& r) {
             if (r.is_error() || r.type != redis::Reply::Type::array || r.elements.size() != 2)
                 return;
             const auto& alive = r.elements[0].elements;
             nodes_.clear();
             for (std::size_t i = 0; i + 1 < alive.size(); i += 2)
                 nodes_.emplace(alive[i].str, alive[i + 1].str);
             dead_.clear();
             for (const auto& d : r.elements[1].elements)
                 dead_.insert(d.str);
         });
}

std::optional<std::string> RedisDirectory::address_of(std::string_view node) const {
    auto it = nodes_.find(node);
    if (it == nodes_.end())
        return std::nullopt;
    return it->second;
}

// --- joins -----------------------------------------------------------------

void RedisDirectory::join(ConnId conn, const rooms::JoinRequest& req, JoinHandler done) {
    Pending p;
    p.rid = room_key(req.room_id);
    p.client_id = std::string(req.client_id);
    p.display_name = std::string(req.display_name);
    p.peer_id = rooms::new_peer_id();
    if (!req.resume_token.empty()) {
        const auto d = rooms::digest_token(req.resume_token);
        p.token = hex(d.data(), d.size());
    }
    p.done = std::move(done);
    if (degraded_)
        return join_locally(conn, std::move(p));
    // A connection joins one room at a time: a second join before the
    // first is answered is refused.
    if (pending_.count(conn)) {
        asio::post(ex_, [done = std::move(p.done)] { done(rooms::Error::rate_limited); });
        return;
    }
    std::vector<std::string> args{settings_.node,
                                  std::to_string(conn),
                                  p.rid,
                                  p.client_id,
                                  p.peer_id,
                                  p.display_name,
                                  p.token.empty() ? "-" : p.token,
                                  std::to_string(settings_.max_room_size),
                                  std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(
                                                     kReservationGrace)
                                                     .count()),
                                  std::to_string(skew_ms())};
    pending_.emplace(conn, std::move(p));
    eval(scripts::kJoin, std::move(args),
         [this, conn](const redis::Reply& r) { on_join_reply(conn, r); });
}

void RedisDirectory::on_join_reply(ConnId conn, const redis::Reply& r) {
    auto it = pending_.find(conn);
    if (it == pending_.end())
        return;
    Pending& p = it->second;
    auto fail = [&](rooms::Error e) {
        auto done = std::move(p.done);
        pending_.erase(it);
        done(e);
    };
    if (r.is_error() || r.type != redis::Reply::Type::array || r.elements.empty()) {
        // Redis went away with the join in flight: decided here, like any
        // join without Redis. (If the script did run, the sync after
        // Redis returns finds the same connection in its place.)
        Pending lost = std::move(p);
        pending_.erase(it);
        if (lost.cancelled)
            return lost.done(rooms::Error::not_in_room);
        return join_locally(conn, std::move(lost));
    }
    const std::string& status = r.elements[0].str;
    if (status == "taken")
        return fail(rooms::Error::client_id_taken);
    if (status == "full")
        return fail(rooms::Error::room_full);
    if (status != "ok" || r.elements.size() < 4)
        return fail(rooms::Error::bad_request);
    if (p.cancelled)
        return fail(rooms::Error::not_in_room);
    p.replied = true;
    ++counts_.joins;
    if (r.elements[3].integer)
        ++counts_.replacements;
    Notices out;
    if (!rooms_.count(p.rid)) {
        std::vector<std::pair<std::string, std::string>> records;
        for (std::size_t k = 4; k + 1 < r.elements.size(); k += 2)
            records.emplace_back(r.elements[k].str, r.elements[k + 1].str);
        init_mirror(p.rid, static_cast<std::uint64_t>(r.elements[1].integer), records, false, out);
    }
    deliver(out);
    if (degraded_) {
        // Redis went away after it ran the join: our own notice of it may
        // never come (see on_state()).
        if (auto again = pending_.find(conn);
            again != pending_.end() && !again->second.in_mirror && !again->second.cancelled) {
            Pending lost = std::move(again->second);
            pending_.erase(again);
            return join_locally(conn, std::move(lost));
        }
    }
    try_finish(conn);
}

// A room this node starts to mirror (or re-reads after Redis came back):
// everyone in the snapshot, then the changes that came before it, then
// the names, which only the members' nodes know.
void RedisDirectory::init_mirror(const std::string& rid, std::uint64_t version,
                                 const std::vector<std::pair<std::string, std::string>>& records,
                                 bool resync, Notices& out) {
    auto [at, created] = rooms_.try_emplace(rid);
    Room& room = at->second;
    room.rid = rid;
    if (!created && !resync && version <= room.version)
        return;
    room.version = version;
    auto take_known = [&](std::string_view peer) -> std::optional<Entry> {
        auto known = std::find_if(room.members.begin(), room.members.end(),
                                  [&](const Entry& x) { return x.m.peer_id == peer; });
        if (known == room.members.end())
            return std::nullopt;
        Entry e = std::move(*known);
        room.members.erase(known);
        return e;
    };
    std::vector<Entry> members;
    for (const auto& [client, text] : records) {
        auto rec = parse_record(text);
        if (!rec) {
            ++stats_.messages_dropped;
            continue;
        }
        if (auto known = take_known(rec->peer)) {
            members.push_back(std::move(*known));
            continue;
        }
        Entry e;
        e.m.peer_id = rec->peer;
        e.m.client_id = client;
        e.token = rec->token;
        if (rec->node == settings_.node) {
            // Ours, not mirrored yet: a join waiting for this answer.
            auto p = pending_.find(rec->conn);
            if (p == pending_.end() || p->second.cancelled || p->second.peer_id != rec->peer)
                continue; // gone meanwhile: its leave is on its way
            e.m.conn = rec->conn;
            e.m.display_name = p->second.display_name;
            p->second.in_mirror = true;
        } else {
            e.node = rec->node;
            e.remote_conn = rec->conn;
            e.named = false;
            e.announced = !resync;
        }
        members.push_back(std::move(e));
    }
    // What is left of the old mirror is gone from Redis: members of ours
    // lost their seats to someone else, others left while we could not
    // hear it.
    std::vector<Entry> gone = std::move(room.members);
    room.members = std::move(members);
    room.locals = 0;
    for (auto& e : room.members) {
        if (!e.local())
            continue;
        ++room.locals;
        // A connection of ours that moved here from another room.
        if (auto w = where_.find(e.m.conn); w != where_.end() && w->second != &room) {
            Room* prev = w->second;
            auto index = local_index(*prev, e.m.conn);
            where_.erase(w);
            if (index)
                drop(*prev, *index, LeaveReason::left, out);
        }
        where_[e.m.conn] = &room;
    }
    for (auto& old : gone) {
        if (old.local()) {
            where_.erase(old.m.conn);
            ++counts_.leaves;
            out.push_back([this, c = old.m.conn] {
                if (notifier_)
                    notifier_->replaced(c);
            });
        }
        if (old.announced)
            out.push_back([this, to = audience(room), peer = old.m.peer_id,
                           why = old.local() ? LeaveReason::replaced : LeaveReason::disconnected] {
                if (notifier_)
                    notifier_->peer_left(to, peer, why);
            });
    }
    if (room.locals == 0 && std::none_of(pending_.begin(), pending_.end(), [&](const auto& p) {
            return p.second.rid == rid;
        })) {
        rooms_.erase(rid);
        return;
    }
    if (auto early = early_.find(rid); early != early_.end()) {
        auto changes = std::move(early->second);
        early_.erase(early);
        for (const auto& bytes : changes)
            if (auto m = decode(bytes))
                apply(*m, out);
    }
    if (auto again = rooms_.find(rid); again != rooms_.end())
        ask_names(again->second);
}

void RedisDirectory::ask_names(Room& room) {
    // Every node with members here knows names: its own members', and
    // those of the others it mirrors (a dead node's members among them).
    std::vector<std::string> nodes;
    const bool unnamed = std::any_of(room.members.begin(), room.members.end(),
                                     [](const Entry& e) { return !e.named; });
    if (unnamed)
        for (const auto& e : room.members)
            if (!e.local() && !dead_.count(e.node) &&
                std::find(nodes.begin(), nodes.end(), e.node) == nodes.end())
                nodes.push_back(e.node);
    if (nodes.empty()) {
        // No one to ask (the nodes are dead): done at once.
        room.intro = ++next_request_;
        room.intro_waiting = 1;
        on_intro(IntroMsg{room.rid, room.intro, {}});
        return;
    }
    room.intro = ++next_request_;
    room.intro_waiting = nodes.size();
    const std::string ask = encode(QueryMsg{room.rid, settings_.node, room.intro});
    for (const auto& n : nodes) {
        const std::string channel = "fc:n:" + n;
        cmd_.command({"PUBLISH", channel, ask}, [](const redis::Reply&) {});
    }
    auto timer = std::make_shared<asio::steady_timer>(ex_, settings_.intro_timeout);
    timer->async_wait([weak = std::weak_ptr(self_), timer, rid = room.rid,
                       request = room.intro](boost::system::error_code) {
        auto self = weak.lock();
        if (!self)
            return;
        RedisDirectory& d = **self;
        auto it = d.rooms_.find(rid);
        if (it == d.rooms_.end() || it->second.intro != request)
            return;
        it->second.intro_waiting = 0;
        d.on_intro(IntroMsg{rid, request, {}});
    });
}

void RedisDirectory::on_intro(const IntroMsg& m) {
    auto it = rooms_.find(m.rid);
    if (it == rooms_.end() || it->second.intro != m.request || m.request == 0)
        return;
    Room& room = it->second;
    for (const auto& w : m.members)
        for (auto& e : room.members)
            if (!e.local() && e.m.peer_id == w.peer_id && !e.named) {
                e.m.display_name = w.display_name;
                e.named = true;
            }
    if (room.intro_waiting > 0)
        --room.intro_waiting;
    if (room.intro_waiting > 0)
        return;
    room.intro = 0;
    Notices out;
    for (auto& e : room.members) {
        if (e.local())
            continue;
        e.named = true; // (its node did not answer: no name)
        if (!e.announced) {
            // New to this node after a resync: announced now, named.
            e.announced = true;
            out.push_back([this, to = audience(room, e.m.peer_id), who = e.m] {
                if (notifier_)
                    notifier_->peer_joined(to, who);
            });
        }
    }
    deliver(out);
    finish_waiting(m.rid);
}

void RedisDirectory::finish_waiting(const std::string& rid) {
    std::vector<ConnId> waiting;
    for (const auto& [conn, p] : pending_)
        if (p.rid == rid)
            waiting.push_back(conn);
    for (ConnId c : waiting)
        try_finish(c);
}

void RedisDirectory::try_finish(ConnId conn) {
    auto it = pending_.find(conn);
    if (it == pending_.end() || !it->second.replied || !it->second.in_mirror)
        return;
    auto room = rooms_.find(it->second.rid);
    if (room == rooms_.end() || room->second.intro_waiting > 0)
        return;
    rooms::Joined joined;
    for (const auto& e : room->second.members) {
        if (e.local() && e.m.conn == conn)
            joined.self = e.m;
        else
            joined.peers.push_back(e.m);
    }
    Pending p = std::move(it->second);
    pending_.erase(it);
    p.done(std::move(joined));
    // Signals that came for it before its acknowledgement.
    if (notifier_ && where_.count(conn))
        for (const auto& h : p.held)
            notifier_->relayed(conn, h.json, h.attachments);
}

// Without Redis: decided against this node's mirror alone, with the same
// rules (see rooms::Registry), and put into Redis when it is back.
void RedisDirectory::join_locally(ConnId conn, Pending p) {
    ++stats_.degraded_joins;
    ++offline_changes_;
    const std::string& rid = p.rid;
    auto existing = rooms_.find(rid);
    if (existing != rooms_.end()) {
        std::size_t others = 0;
        for (const auto& e : existing->second.members) {
            if (e.m.client_id == p.client_id) {
                if (!e.token.empty() && e.token != p.token && !(e.local() && e.m.conn == conn))
                    return p.done(rooms::Error::client_id_taken);
            } else if (!(e.local() && e.m.conn == conn)) {
                ++others;
            }
        }
        if (others >= settings_.max_room_size)
            return p.done(rooms::Error::room_full);
    } else if (settings_.max_room_size == 0) {
        return p.done(rooms::Error::room_full);
    }
    Notices out;
    take_out_local(conn, LeaveReason::left, out);
    if (auto room = rooms_.find(rid); room != rooms_.end()) {
        auto& members = room->second.members;
        auto stale = std::find_if(members.begin(), members.end(),
                                  [&](const Entry& e) { return e.m.client_id == p.client_id; });
        if (stale != members.end()) {
            ++counts_.replacements;
            // Left first, then replaced (see apply_left()).
            const std::optional<ConnId> told =
                stale->local() ? std::optional(stale->m.conn) : std::nullopt;
            drop(room->second, static_cast<std::size_t>(stale - members.begin()),
                 LeaveReason::replaced, out);
            if (told)
                out.push_back([this, c = *told] {
                    if (notifier_)
                        notifier_->replaced(c);
                });
        }
    }
    Room& here = rooms_[rid]; // (dropping may have erased it)
    here.rid = rid;
    Entry e;
    e.m = rooms::Member{conn, p.peer_id, p.client_id, p.display_name, std::nullopt, clock_()};
    e.token = p.token;
    rooms::Joined joined{e.m, {}};
    for (const auto& x : here.members)
        joined.peers.push_back(x.m);
    out.push_back([this, to = audience(here), who = e.m] {
        if (notifier_)
            notifier_->peer_joined(to, who);
    });
    here.members.push_back(std::move(e));
    ++here.locals;
    where_[conn] = &here;
    ++counts_.joins;
    deliver(out);
    p.done(std::move(joined));
}

// --- leaves and the mirror --------------------------------------------------

RedisDirectory::Room* RedisDirectory::room_of_local(ConnId conn) const {
    auto it = where_.find(conn);
    return it == where_.end() ? nullptr : it->second;
}

bool RedisDirectory::take_out_local(ConnId conn, LeaveReason reason, Notices& out) {
    Room* room = room_of_local(conn);
    auto index = room ? local_index(*room, conn) : std::nullopt;
    if (!index)
        return false;
    drop(*room, *index, reason, out);
    return true;
}

std::optional<std::size_t> RedisDirectory::local_index(const Room& room, ConnId conn) {
    for (std::size_t i = 0; i < room.members.size(); ++i)
        if (room.members[i].local() && room.members[i].m.conn == conn)
            return i;
    return std::nullopt;
}

std::vector<ConnId> RedisDirectory::audience(const Room& room, std::string_view except_peer) const {
    std::vector<ConnId> to;
    for (const auto& e : room.members)
        if (e.local() && e.m.peer_id != except_peer && !pending_.count(e.m.conn))
            to.push_back(e.m.conn);
    return to;
}

void RedisDirectory::drop(Room& room, std::size_t index, LeaveReason reason, Notices& out) {
    Entry gone = std::move(room.members[index]);
    room.members.erase(room.members.begin() + static_cast<std::ptrdiff_t>(index));
    if (gone.local()) {
        where_.erase(gone.m.conn);
        --room.locals;
        ++counts_.leaves;
    }
    if (room.locals == 0) {
        const bool joining = std::any_of(pending_.begin(), pending_.end(),
                                         [&](const auto& p) { return p.second.rid == room.rid; });
        if (!joining) {
            rooms_.erase(room.rid); // `room` is gone from here on
            return;
        }
    }
    if (gone.m.peer_id.empty())
        return;
    out.push_back([this, to = audience(room), peer = gone.m.peer_id, reason] {
        if (notifier_)
            notifier_->peer_left(to, peer, reason);
    });
}

bool RedisDirectory::leave(ConnId conn, LeaveReason reason) {
    if (auto p = pending_.find(conn); p != pending_.end())
        p->second.cancelled = true;
    Notices out;
    const bool was_in = take_out_local(conn, reason, out);
    if (degraded_) {
        ++offline_changes_; // (put right by the next sync)
    } else {
        eval(scripts::kLeave,
             {settings_.node, std::to_string(conn), std::string(rooms::to_string(reason)),
              std::to_string(settings_.max_room_size),
              std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(kReservationGrace).count()),
              std::to_string(skew_ms())},
             [](const redis::Reply&) {});
    }
    deliver(out);
    return was_in;
}

void RedisDirectory::deliver(Notices& out) {
    auto notices = std::move(out);
    for (auto& n : notices)
        n();
}

// --- what other nodes say ----------------------------------------------------

void RedisDirectory::on_message(std::string_view bytes) {
    ++stats_.messages_in;
    auto m = decode(bytes);
    if (!m) {
        ++stats_.messages_dropped;
        log::warn("cluster message dropped", {{"reason", std::string(to_string(m.error()))},
                                              {"bytes", std::to_string(bytes.size())}});
        return;
    }
    if (auto* s = std::get_if<SignalMsg>(&*m))
        return on_signal(std::move(*s));
    if (auto* q = std::get_if<QueryMsg>(&*m))
        return on_query(*q);
    if (auto* i = std::get_if<IntroMsg>(&*m))
        return on_intro(*i);
    // A room change: for a room not mirrored yet, kept if a join of ours
    // will start its mirror (the change may be newer than the snapshot).
    const std::string* rid = nullptr;
    std::visit([&](const auto& x) {
        if constexpr (requires { x.rid; })
            rid = &x.rid;
    }, *m);
    if (rid && !rooms_.count(*rid)) {
        const bool joining = std::any_of(pending_.begin(), pending_.end(),
                                         [&](const auto& p) { return p.second.rid == *rid; });
        if (joining) {
            auto& early = early_[*rid];
            if (early.size() < 4 * settings_.max_room_size + 16)
                early.emplace_back(bytes);
        }
        return;
    }
    Notices out;
    apply(*m, out);
    deliver(out);
}

bool RedisDirectory::in_order(Room& room, std::uint64_t version) {
    if (version <= room.version)
        return false; // already in the mirror (its snapshot had it)
    if (version > room.version + 1)
        ++stats_.version_gaps;
    room.version = version;
    return true;
}

void RedisDirectory::apply(const Message& m, Notices& out) {
    if (auto* j = std::get_if<JoinedMsg>(&m))
        return apply_joined(*j, out);
    if (auto* l = std::get_if<LeftMsg>(&m))
        return apply_left(l->rid, l->version, l->peer_id, l->reason, std::nullopt, out);
    if (auto* r = std::get_if<ReplacedMsg>(&m))
        return apply_left(r->rid, r->version, r->peer_id, LeaveReason::replaced, r->conn, out);
}

void RedisDirectory::apply_joined(const JoinedMsg& m, Notices& out) {
    auto it = rooms_.find(m.rid);
    if (it == rooms_.end() || !in_order(it->second, m.version))
        return;
    Room& room = it->second;
    const auto& w = m.who;
    if (std::any_of(room.members.begin(), room.members.end(),
                    [&](const Entry& e) { return e.m.peer_id == w.peer_id; }))
        return;
    Entry e;
    e.m.peer_id = w.peer_id;
    e.m.client_id = w.client_id;
    e.m.display_name = w.display_name;
    e.token = w.token;
    if (w.node == settings_.node) {
        auto p = pending_.find(w.conn);
        if (p == pending_.end() || p->second.cancelled || p->second.peer_id != w.peer_id)
            return; // gone meanwhile
        // It leaves the room it was in here first.
        take_out_local(w.conn, LeaveReason::left, out);
        e.m.conn = w.conn;
        e.m.joined_at = clock_();
        p->second.in_mirror = true;
        out.push_back([this, to = audience(room), who = e.m] {
            if (notifier_)
                notifier_->peer_joined(to, who);
        });
        room.members.push_back(std::move(e));
        ++room.locals;
        where_[w.conn] = &room;
        out.push_back([this, c = w.conn] { try_finish(c); });
        return;
    }
    e.node = w.node;
    e.remote_conn = w.conn;
    out.push_back([this, to = audience(room), who = e.m] {
        if (notifier_)
            notifier_->peer_joined(to, who);
    });
    room.members.push_back(std::move(e));
}

void RedisDirectory::apply_left(const std::string& rid, std::uint64_t version,
                                std::string_view peer_id, LeaveReason reason,
                                std::optional<std::uint64_t> replaced_conn, Notices& out) {
    auto it = rooms_.find(rid);
    if (it == rooms_.end() || !in_order(it->second, version))
        return;
    Room& room = it->second;
    auto e = std::find_if(room.members.begin(), room.members.end(),
                          [&](const Entry& x) { return x.m.peer_id == peer_id; });
    if (e == room.members.end())
        return; // left here already (our own leaves are taken out at once)
    // As rooms::Registry tells it: the others hear that the member left,
    // then its connection that it was replaced. Counted by the node whose
    // join replaced it (on_join_reply), not here: a replacement on one node
    // was counted twice.
    const std::optional<ConnId> told =
        e->local() && replaced_conn ? std::optional(e->m.conn) : std::nullopt;
    drop(room, static_cast<std::size_t>(e - room.members.begin()), reason, out);
    if (told)
        out.push_back([this, c = *told] {
            if (notifier_)
                notifier_->replaced(c);
        });
}

void RedisDirectory::on_signal(SignalMsg m) {
    Room* room = room_of_local(m.conn);
    auto index = room ? local_index(*room, m.conn) : std::nullopt;
    if (!index || room->members[*index].m.peer_id != m.peer_id)
        return; // not the member it was meant for
    if (auto p = pending_.find(m.conn); p != pending_.end()) {
        if (p->second.held.size() < 256)
            p->second.held.push_back({std::move(m.event_json), std::move(m.attachments)});
        return;
    }
    ++stats_.signals_in;
    if (notifier_)
        notifier_->relayed(m.conn, m.event_json, m.attachments);
}

void RedisDirectory::on_query(const QueryMsg& m) {
    IntroMsg answer{m.rid, m.request, {}};
    if (auto it = rooms_.find(m.rid); it != rooms_.end())
        for (const auto& e : it->second.members)
            if (e.named)
                answer.members.push_back(WireMember{e.m.peer_id, {}, e.m.display_name, {}, 0, 0, {}});
    const std::string channel = "fc:n:" + m.reply_to;
    cmd_.command({"PUBLISH", channel, encode(answer)}, [](const redis::Reply&) {});
}

// --- the hot path -------------------------------------------------------------

std::optional<ConnId> RedisDirectory::route(ConnId from, std::string_view peer_id) const {
    const Room* room = room_of_local(from);
    if (!room)
        return std::nullopt;
    for (const auto& e : room->members)
        if (e.m.peer_id == peer_id)
            return e.local() && e.m.conn != from ? std::optional(e.m.conn) : std::nullopt;
    return std::nullopt;
}

bool RedisDirectory::forward(ConnId from, std::string_view peer_id, std::string_view event_json,
                             std::span<const std::string> attachments) {
    const Room* room = room_of_local(from);
    if (!room || degraded_)
        return false;
    for (const auto& e : room->members) {
        if (e.m.peer_id != peer_id)
            continue;
        if (e.local())
            return false;
        const std::string channel = "fc:n:" + e.node;
        cmd_.command({"PUBLISH", channel, encode_signal(e.remote_conn, peer_id, event_json, attachments)},
                     [](const redis::Reply&) {});
        ++stats_.signals_out;
        return true;
    }
    return false;
}

const rooms::Member* RedisDirectory::member(ConnId conn) const {
    const Room* room = room_of_local(conn);
    if (!room)
        return nullptr;
    for (const auto& e : room->members)
        if (e.local() && e.m.conn == conn)
            return &e.m;
    return nullptr;
}

bool RedisDirectory::holds(std::string_view room_id, std::string_view client_id,
                           std::string_view token) const {
    if (token.empty())
        return false;
    auto it = rooms_.find(room_key(room_id));
    if (it == rooms_.end())
        return false;
    const auto d = rooms::digest_token(token);
    const std::string want = hex(d.data(), d.size());
    for (const auto& e : it->second.members)
        if (e.m.client_id == client_id)
            return !e.token.empty() && e.token == want;
    return false;
}

void RedisDirectory::find_node(std::string_view node,
                               std::function<void(std::optional<std::string>)> done) {
    if (auto address = address_of(node))
        return done(std::move(address));
    const auto now = clock_();
    if (auto miss = unknown_nodes_.find(node); miss != unknown_nodes_.end()) {
        if (now < miss->second)
            return done(std::nullopt);
        unknown_nodes_.erase(miss);
    }
    if (degraded_ || dead_.count(std::string(node)))
        return done(std::nullopt);
    // Bounded whatever tags requests make up: the table only remembers misses.
    if (unknown_nodes_.size() >= 1024)
        unknown_nodes_.clear();
    std::string name(node);
    cmd_.command({"GET", "fc:alive:" + name},
                 [weak = std::weak_ptr(self_), name, done = std::move(done)](const redis::Reply& r) {
                     auto self = weak.lock();
                     if (!self || r.type != redis::Reply::Type::string || r.str.empty()) {
                         if (self)
                             (*self)->unknown_nodes_[name] = (*self)->clock_() + std::chrono::seconds(1);
                         return done(std::nullopt);
                     }
                     (*self)->nodes_[name] = r.str;
                     done(r.str);
                 });
}

void RedisDirectory::check_holds(std::string_view room_id, std::string_view client_id,
                                 std::string_view token, std::function<void(bool)> answer) const {
    if (holds(room_id, client_id, token))
        return answer(true);
    if (token.empty() || degraded_)
        return answer(false);
    const auto d = rooms::digest_token(token);
    const std::string key = "fc:r:" + room_key(room_id);
    cmd_.command({"HGET", key, client_id},
                 [want = hex(d.data(), d.size()), answer = std::move(answer)](const redis::Reply& r) {
                     auto rec = r.type == redis::Reply::Type::string ? parse_record(r.str)
                                                                     : std::nullopt;
                     answer(rec && !rec->token.empty() && rec->token == want);
                 });
}

} // namespace fc::cluster
