// The rooms of a cluster: a RoomDirectory whose truth is in Redis, shared
// by every node, so members connected to different nodes are in one room.
//
// Joins and leaves run Lua scripts (scripts.hpp) that decide against the
// whole room and publish the change to every node with members there.
// Each node keeps a mirror of the rooms its own connections are in (every
// member, wherever connected, with display names, which only nodes hold)
// and applies the published changes in the room's version order, so a
// relayed signal is routed from memory: local targets as before, others
// with one PUBLISH to their node's channel (wire.hpp).
//
// Without Redis (down, restarting, unreachable) a node keeps serving the
// rooms it holds: joins are decided against its mirror, signals between
// its own connections flow, signals to other nodes' members fail with
// unknown-peer. When Redis is back it puts its members back and re-reads
// its rooms (see sync()).
#pragma once

#include "server/cluster/wire.hpp"
#include "server/rooms/room_directory.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <functional>
#include <map>
#include <set>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

namespace fc::redis {
class Client;
class Subscriber;
struct Reply;
} // namespace fc::redis

namespace fc::cluster {

struct DirectorySettings {
    std::string node;    // this node's id: 8 base64url characters (the Engine.IO sid tag)
    std::string address; // host:port where this node takes forwarded requests
    std::size_t max_room_size = 64;
    // How long the members of a node that died keep their places for their
    // clients to come back through another node (then: peer-left
    // "disconnected"). The Engine.IO heartbeat timeout is the natural
    // value: a client notices a dead server within it.
    std::chrono::milliseconds grace{45000};
    std::chrono::milliseconds tick{1000}; // heartbeat period
    std::chrono::milliseconds ttl{3000};  // a node silent this long is presumed dead
    // How long a node starting to mirror a room waits for the other nodes
    // to name their members before answering the join without those names.
    std::chrono::milliseconds intro_timeout{1000};
};

struct DirectoryStats {
    std::uint64_t messages_in = 0;
    std::uint64_t messages_dropped = 0; // malformed (another node's bug)
    std::uint64_t signals_out = 0;      // relays handed to another node
    std::uint64_t signals_in = 0;       // relays from another node, delivered
    std::uint64_t version_gaps = 0;     // room changes that never arrived here
    std::uint64_t resyncs = 0;          // times this node put its members back
    std::uint64_t degraded_joins = 0;   // joins decided without Redis
};

class RedisDirectory final : public rooms::RoomDirectory {
public:
    // `commands` and `events` are connections to the same Redis; both
    // outlive this. Nothing happens until start().
    RedisDirectory(boost::asio::any_io_executor ex, redis::Client& commands,
                   redis::Subscriber& events, DirectorySettings settings,
                   std::function<rooms::Clock::time_point()> clock = rooms::Clock::now);
    ~RedisDirectory() override;
    RedisDirectory(const RedisDirectory&) = delete;
    RedisDirectory& operator=(const RedisDirectory&) = delete;

    // Subscribes to this node's channel and starts the heartbeat.
    void start();
    // Where this node takes forwarded requests, if known only once its
    // listener is bound (before start()).
    void set_address(std::string address) { settings_.address = std::move(address); }

    void set_notifier(rooms::Notifier* notifier) override { notifier_ = notifier; }
    void join(rooms::ConnId conn, const rooms::JoinRequest& req, JoinHandler done) override;
    bool leave(rooms::ConnId conn, rooms::LeaveReason reason) override;
    std::optional<rooms::ConnId> route(rooms::ConnId from, std::string_view peer_id) const override;
    bool forward(rooms::ConnId from, std::string_view peer_id, std::string_view event_json,
                 std::span<const std::string> attachments) override;
    const rooms::Member* member(rooms::ConnId conn) const override;
    bool holds(std::string_view room_id, std::string_view client_id,
               std::string_view token) const override;
    // A seat held on another node: Redis has its token's digest.
    void check_holds(std::string_view room_id, std::string_view client_id, std::string_view token,
                     std::function<void(bool)> answer) const override;
    std::size_t room_count() const override { return rooms_.size(); }
    std::size_t member_count() const override { return where_.size(); }
    rooms::Counts counts() const override { return counts_; }

    // The cluster as this node sees it.
    bool redis_up() const { return !degraded_; }
    std::size_t nodes_alive() const { return nodes_.size(); }
    // Where a node takes forwarded requests, if it is alive.
    std::optional<std::string> address_of(std::string_view node) const;
    // The same, asking Redis when this node has not heard of that one (it
    // started a moment ago and its hello is still on its way). Answers
    // through `done`, at once or later, exactly once; a node Redis does not
    // know either is not asked about again for a second.
    void find_node(std::string_view node, std::function<void(std::optional<std::string>)> done);
    const DirectoryStats& stats() const { return stats_; }
    const std::string& node() const { return settings_.node; }

    // The Redis key part of a room id: a hash, so Redis never holds room
    // names in clear.
    static std::string room_key(std::string_view room_id);

private:
    struct Entry {
        rooms::Member m;   // m.conn: the connection, if on this node
        std::string node;  // empty: this node
        std::uint64_t remote_conn = 0;
        std::string token; // hex digest, or empty
        bool named = true;     // false until an intro names it (snapshot entries)
        bool announced = true; // false: new after a resync, peer-joined once named
        bool local() const { return node.empty(); }
    };
    struct Room {
        std::string rid;
        std::uint64_t version = 0;
        std::vector<Entry> members; // join order
        std::size_t locals = 0;
        std::uint64_t intro = 0;        // intro request in flight, 0: none
        std::size_t intro_waiting = 0;  // nodes yet to answer it
    };
    struct Held {
        std::string json;
        std::vector<std::string> attachments;
    };
    struct Pending {
        std::string rid;
        std::string client_id;
        std::string display_name;
        std::string peer_id;
        std::string token;
        JoinHandler done;
        bool replied = false;
        bool in_mirror = false;
        bool cancelled = false;
        std::vector<Held> held; // signals for it before its acknowledgement
    };
    using Notices = std::vector<std::function<void()>>;

    void on_state();
    void on_message(std::string_view bytes);
    void apply(const Message& m, Notices& out);
    void apply_joined(const JoinedMsg& m, Notices& out);
    void apply_left(const std::string& rid, std::uint64_t version, std::string_view peer_id,
                    rooms::LeaveReason reason, std::optional<std::uint64_t> replaced_conn,
                    Notices& out);
    void on_signal(SignalMsg m);
    void on_query(const QueryMsg& m);
    void on_intro(const IntroMsg& m);
    bool in_order(Room& room, std::uint64_t version);

    void on_join_reply(rooms::ConnId conn, const redis::Reply& r);
    void join_locally(rooms::ConnId conn, Pending p);
    // `resync`: the mirror is replaced whatever its version (Redis may
    // have restarted, and versions with it), and the differences told.
    void init_mirror(const std::string& rid, std::uint64_t version,
                     const std::vector<std::pair<std::string, std::string>>& records,
                     bool resync, Notices& out);
    void ask_names(Room& room);
    void try_finish(rooms::ConnId conn);
    void finish_waiting(const std::string& rid);

    // Takes entry `index` out of `room`, telling this node's members. May
    // erase the room: `room` is not to be used after.
    void drop(Room& room, std::size_t index, rooms::LeaveReason reason, Notices& out);
    std::vector<rooms::ConnId> audience(const Room& room, std::string_view except_peer = {}) const;
    Room* room_of_local(rooms::ConnId conn) const;
    // Where this node's connection `conn` sits in `room`, if it does.
    static std::optional<std::size_t> local_index(const Room& room, rooms::ConnId conn);
    // Takes a connection of this node out of the room it is in here (telling
    // the others); false if it is in none.
    bool take_out_local(rooms::ConnId conn, rooms::LeaveReason reason, Notices& out);

    void tick();
    void beat(); // the heartbeat, and the reaper of dead nodes
    void sync();
    void on_snapshot(const std::vector<std::string>& rids, const redis::Reply& r);
    void deliver(Notices& out);
    // Runs one of scripts.hpp's scripts (by reference: its digest is cached).
    void eval(const std::string& script, std::vector<std::string> args,
              std::function<void(const redis::Reply&)> done);
    const std::string& sha_of(const std::string& script);
    void load_scripts();
    std::int64_t skew_ms() const;

    boost::asio::any_io_executor ex_;
    redis::Client& cmd_;
    redis::Subscriber& sub_;
    DirectorySettings settings_;
    std::function<rooms::Clock::time_point()> clock_;
    rooms::Clock::time_point clock_start_;
    rooms::Clock::time_point real_start_;
    rooms::Notifier* notifier_ = nullptr;

    std::unordered_map<std::string, Room> rooms_;      // rid -> mirror
    std::unordered_map<rooms::ConnId, Room*> where_;   // this node's connections in rooms
    std::unordered_map<rooms::ConnId, Pending> pending_; // joins not yet answered
    std::unordered_map<std::string, std::vector<std::string>> early_; // rid -> changes before its mirror
    std::map<std::string, std::string, std::less<>> nodes_; // alive node -> address
    std::set<std::string> dead_; // nodes whose heartbeat stopped, not yet reaped
    // Nodes Redis did not know when asked (find_node), until when not to ask again.
    std::map<std::string, rooms::Clock::time_point, std::less<>> unknown_nodes_;
    std::uint64_t next_request_ = 0;
    std::map<const std::string*, std::string> shas_; // script -> its SHA-1, as Redis names it
    bool degraded_ = true; // until Redis answered once
    std::uint64_t offline_changes_ = 0; // joins and leaves decided without Redis
    bool started_ = false;
    boost::asio::steady_timer ticker_;
    rooms::Counts counts_;
    DirectoryStats stats_;
    // Handlers given to Redis and timers hold a weak reference: they may
    // run after this is gone.
    std::shared_ptr<RedisDirectory*> self_;
};

} // namespace fc::cluster
