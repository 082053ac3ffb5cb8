// The Lua scripts that change rooms in Redis. Each runs atomically, so a
// room's checks (room-full, a clientId taken) hold cluster-wide, and each
// publishes its change, numbered by the room's version, to every node with
// members in the room: all nodes see one room's changes in one order.
//
// What Redis holds (routing only; no names, no messages, no room ids in
// clear; <rid> is a hash of the room id, see room_key()):
//   fc:r:<rid>      hash clientId -> "<node> <conn> <peerId> <joinedMs> <token digest hex|->"
//   fc:rv:<rid>     hash clientId -> "<untilMs> <stayedMs> <token digest hex>" (reservations)
//   fc:v:<rid>      the room's version
//   fc:c:<node>     hash conn -> "<rid> <clientId>": where each connection of a node is
//   fc:nodes        hash node -> its address for forwarded requests
//   fc:alive:<node> set with a TTL by the node's tick; gone: the node is presumed dead
//   fc:dead         zset node -> when it was first seen dead (ms)
// Channels: fc:n:<node>, one per node (wire.hpp's messages); fc:hello,
// "<node> <address>" from a node whose heartbeat starts.
// (Used only once main() runs: they are built during static initialisation.)
//
// Times are Redis' TIME (one clock for every node) plus the caller's
// `skew` (0 but in tests, which move a clock by hand).
#pragma once

#include <string>

namespace fc::cluster::scripts {

// ARGV: node conn rid clientId peerId displayName token(|-) maxRoomSize graceMs skewMs
// Returns {"taken"} | {"full"} | {"ok", version, joinedMs, replaced(0|1), clientId1, record1, ...}
// (the room after the join: the snapshot a node starts its mirror from).
extern const std::string kJoin;

// ARGV: node conn reason maxRoomSize graceMs skewMs
// Takes the connection out of its room. Returns the room's new version, or 0.
extern const std::string kLeave;

// ARGV: node address ttlMs graceMs maxRoomSize skewMs
// The node's heartbeat; also reaps the members of nodes dead for graceMs
// (peer-left "disconnected" to the rest). Returns {{node1, address1, ...},
// {dead node...}}: the nodes alive with their addresses, and those whose
// heartbeat stopped (reaped once dead for graceMs).
extern const std::string kTick;

// ARGV: node maxRoomSize graceMs skewMs count, then count times
//       rid conn clientId peerId joinedMs token(|-) displayName
// After Redis came back: puts this node's members back (a clientId taken
// meanwhile by another node stays there), and takes out this node's
// entries for connections that are gone. Returns the conns that lost
// their seat.
extern const std::string kSync;

// ARGV: rid...  Returns {version, clientId1, record1, ...} per rid (an array each).
extern const std::string kSnapshot;

} // namespace fc::cluster::scripts
