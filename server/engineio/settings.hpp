// Engine.IO server settings, with the defaults of the system we replace.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>

namespace fc::engineio {

struct Settings {
    // Heartbeat: the server pings every ping_interval and closes a session
    // whose pong has not arrived ping_timeout after the ping. 25 s / 60 s are
    // the values of the Node deployment we replace: long enough that a phone
    // whose radio naps is not dropped, short enough to free dead members.
    std::chrono::milliseconds ping_interval{25000};
    std::chrono::milliseconds ping_timeout{60000};
    // Largest message a client may send (and the advertised maxPayload).
    std::size_t max_payload = 1'000'000;
    // A probe WebSocket that does not finish the upgrade in time is closed;
    // the session carries on over polling.
    std::chrono::milliseconds upgrade_timeout{10000};
    // Bytes queued for one client before it counts as a slow consumer and
    // is dropped. Bounded so one stalled phone cannot grow the server.
    std::size_t max_queued_bytes = 4 * 1024 * 1024;
    // What the server may hold for all clients together (see
    // memory_budget.hpp). 256 MiB: 64 clients at their full 4 MiB queue,
    // or a hundred thousand idle ones with room to spare, on a machine
    // that should never swap because one room got busy.
    std::size_t memory_budget = 256 * 1024 * 1024;
    // A WebSocket write that has not completed after this long means the
    // client stopped reading with its TCP window full: the connection is
    // cut. Long enough for a phone whose Wi-Fi passes nothing for 20 s to
    // come back (its small writes sit in kernel buffers, not here). The
    // same bound holds for input: a client holding an incomplete message
    // that long, with none completed meanwhile, is closed.
    std::chrono::milliseconds write_timeout{30000};
    // Offer the polling -> websocket upgrade in the handshake.
    bool allow_upgrades = true;
    // In a cluster: this node's tag (kNodeTagLength of [A-Za-z0-9_-], see
    // session_id.hpp), which starts every sid it makes, so another node can
    // pass a request for the session here. Empty: one node, untagged sids.
    // The Server refuses an invalid tag at construction.
    std::string node_tag;
};

} // namespace fc::engineio
