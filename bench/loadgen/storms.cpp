// Join storm and reload storm: many clients join (or come back with the
// same clientId) at once, and every peer-joined / peer-left that should
// reach a member is checked: none lost, none duplicated, none unexpected.
#include "bench/loadgen/fleet.hpp"
#include "bench/loadgen/scenarios.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include <algorithm>
#include <set>
#include <unordered_set>

namespace fc::loadgen {

namespace json = boost::json;
using namespace std::chrono_literals;

namespace {

std::string field(const json::value& v, std::string_view key) {
    const auto* o = v.if_object();
    const auto* f = o ? o->if_contains(key) : nullptr;
    return f && f->is_string() ? std::string(f->as_string()) : std::string();
}

std::vector<std::string> ack_peers(const json::value& ack) {
    std::vector<std::string> out;
    const auto* o = ack.if_object();
    const auto* peers = o ? o->if_contains("peers") : nullptr;
    if (peers && peers->is_array())
        for (const auto& p : peers->as_array()) out.push_back(field(p, "peerId"));
    return out;
}

// Pairs of joined members sharing a room, over all rooms.
std::size_t joined_pairs(const Fleet& fleet) {
    std::size_t pairs = 0;
    for (std::size_t r = 0; r < fleet.room_count(); ++r) {
        std::size_t j = 0;
        for (auto i : fleet.members(r))
            if (fleet.clients[i] && !fleet.clients[i]->peer_id.empty()) ++j;
        pairs += j * (j > 0 ? j - 1 : 0) / 2;
    }
    return pairs;
}

} // namespace

json::object run_join_storm(boost::asio::io_context& io, const Options& o) {
    Fleet fleet(io, o);
    std::vector<std::unordered_set<std::string>> known(o.clients);
    std::size_t entries = 0, duplicated = 0, unexpected = 0, peer_joined = 0;
    std::int64_t start = now_ns(), last_event = 0;
    std::size_t expected_entries = SIZE_MAX;
    boost::asio::steady_timer wait(io);

    auto learn = [&](std::size_t i, const std::string& peer) {
        if (known[i].insert(peer).second) ++entries;
        else ++duplicated;
        last_event = now_ns();
        if (entries >= expected_entries) io.stop();
    };
    fleet.on_joined_hook = [&](Client& c, const json::value& ack) {
        if (!ack_ok(ack)) return;
        for (auto& p : ack_peers(ack)) learn(c.index(), p);
    };
    fleet.on_event_hook = [&](Client& c, std::string_view name, const json::value& arg) {
        if (name == "peer-joined") {
            ++peer_joined;
            learn(c.index(), field(arg, "peerId"));
        } else {
            ++unexpected;
        }
    };
    fleet.connect_and_join([&] {
        // Each joined member should end up knowing every other joined member.
        expected_entries = 2 * joined_pairs(fleet);
        if (entries >= expected_entries) return io.stop();
        wait.expires_after(std::chrono::milliseconds(static_cast<long>(o.settle * 1000)));
        wait.async_wait([&](boost::system::error_code ec) {
            if (!ec) io.stop();
        });
    });
    io.run();

    std::size_t missing = 0, wrong = 0;
    for (std::size_t r = 0; r < fleet.room_count(); ++r) {
        std::set<std::string> ids;
        for (auto i : fleet.members(r))
            if (fleet.clients[i] && !fleet.clients[i]->peer_id.empty()) ids.insert(fleet.clients[i]->peer_id);
        for (auto i : fleet.members(r)) {
            if (!fleet.clients[i] || fleet.clients[i]->peer_id.empty()) continue;
            for (const auto& id : ids)
                if (id != fleet.clients[i]->peer_id && !known[i].contains(id)) ++missing;
            for (const auto& id : known[i])
                if (!ids.contains(id) || id == fleet.clients[i]->peer_id) ++wrong;
        }
    }
    json::object r = fleet.report();
    r["joins_per_s"] = fleet.connect_and_join_seconds > 0
                           ? static_cast<double>(fleet.joined) / fleet.connect_and_join_seconds : 0.0;
    r["peer_joined_events"] = peer_joined;
    r["all_peer_joined_s"] = static_cast<double>(std::max(last_event, start) - start) / 1e9;
    r["missing"] = missing;
    r["duplicated"] = duplicated;
    r["unexpected"] = unexpected + wrong;
    return r;
}

json::object run_reload_storm(boost::asio::io_context& io, const Options& o) {
    Fleet fleet(io, o);
    // What one survivor must hear about its room's reloader this round.
    struct Expect {
        std::string old_peer, client_id, new_peer;
        bool active = false, left = false, joined = false;
        std::size_t reloader = 0;
    };
    std::vector<Expect> expect(o.clients);
    std::vector<std::shared_ptr<Client>> retired;
    std::unordered_set<const Client*> superseded; // old connections of reloaded clients
    std::size_t round = 0, outstanding = 0, outstanding_acks = 0;
    std::size_t events_expected = 0, delivered = 0, duplicated = 0, unexpected = 0, out_of_order = 0;
    std::size_t ack_mismatch = 0, peer_id_mismatch = 0, reload_failures = 0, reloads = 0;
    std::size_t replaced_expected = 0, replaced_seen = 0, lost = 0;
    LatencyRecorder round_times;
    std::int64_t round_start = 0;
    boost::asio::steady_timer deadline(io);
    std::function<void()> start_round;
    bool storming = false;
    std::size_t initial_expected = SIZE_MAX, initial_seen = 0;

    auto end_round = [&] {
        deadline.cancel();
        round_times.add(now_ns() - round_start);
        lost += outstanding;
        reload_failures += outstanding_acks;
        outstanding = outstanding_acks = 0;
        for (auto& e : expect) {
            if (e.active && e.joined && e.new_peer != fleet.clients[e.reloader]->peer_id) ++peer_id_mismatch;
            e.active = false;
        }
        for (auto& c : retired) c->close();
        retired.clear();
        superseded.clear();
        ++round;
        boost::asio::post(io, [&] { start_round(); });
    };
    auto maybe_done = [&] {
        if (outstanding == 0 && outstanding_acks == 0) end_round();
    };
    fleet.on_event_hook = [&](Client& c, std::string_view name, const json::value& arg) {
        auto i = c.index();
        if (superseded.contains(&c)) {
            // A connection already superseded by its own reload.
            if (name == "replaced") {
                ++replaced_seen;
                c.close();
            } else {
                ++unexpected;
            }
            return;
        }
        if (!storming) {
            // The initial joins: the rounds start once all of these are in.
            if (name != "peer-joined") return void(++unexpected);
            if (++initial_seen == initial_expected) start_round();
            return;
        }
        auto& e = expect[i];
        if (!e.active) return void(++unexpected);
        if (name == "peer-left" && field(arg, "peerId") == e.old_peer) {
            if (e.left) return void(++duplicated);
            e.left = true;
        } else if (name == "peer-joined" && field(arg, "clientId") == e.client_id) {
            if (e.joined) return void(++duplicated);
            if (!e.left) ++out_of_order;
            e.joined = true;
            e.new_peer = field(arg, "peerId");
        } else {
            return void(++unexpected);
        }
        ++delivered;
        --outstanding;
        maybe_done();
    };

    auto reload = [&](std::size_t k, bool close_first, std::vector<std::size_t> survivors) {
        auto old = fleet.clients[k];
        superseded.insert(old.get());
        ++reloads;
        ++outstanding_acks;
        if (close_first) {
            old->close();
        } else {
            ++replaced_expected;
            retired.push_back(old);
        }
        fleet.reconnect(k, [&, k, survivors](Client& c, const json::value& ack) {
            --outstanding_acks;
            if (!ack_ok(ack)) {
                ++reload_failures;
                return maybe_done();
            }
            std::set<std::string> want, got;
            for (auto s : survivors) want.insert(fleet.clients[s]->peer_id);
            for (auto& p : ack_peers(ack)) got.insert(p);
            if (want != got) ++ack_mismatch;
            fleet.clients[k] = c.shared_from_this();
            maybe_done();
        });
    };

    start_round = [&] {
        if (!storming) {
            storming = true;
            deadline.cancel();
        }
        if (round >= o.rounds) return io.stop();
        round_start = now_ns();
        for (std::size_t r = 0; r < fleet.room_count(); ++r) {
            std::vector<std::size_t> live;
            for (auto i : fleet.members(r))
                if (fleet.clients[i] && fleet.clients[i]->connected() && !fleet.clients[i]->peer_id.empty())
                    live.push_back(i);
            if (live.size() < 2) continue;
            auto k = live[round % live.size()];
            std::vector<std::size_t> survivors;
            for (auto s : live) {
                if (s == k) continue;
                survivors.push_back(s);
                expect[s] = {fleet.clients[k]->peer_id, fleet.clients[k]->client_id, "", true, false, false, k};
                outstanding += 2;
                events_expected += 2;
            }
            // Alternate: a reload whose old connection is already closed,
            // and one whose old connection is still open (it is replaced).
            reload(k, round % 2 == 1, std::move(survivors));
        }
        if (outstanding == 0 && outstanding_acks == 0) return io.stop();
        deadline.expires_after(10s);
        deadline.async_wait([&](boost::system::error_code ec) {
            if (!ec) end_round();
        });
    };
    fleet.connect_and_join([&] {
        initial_expected = joined_pairs(fleet); // one peer-joined per pair
        if (initial_seen >= initial_expected) return start_round();
        deadline.expires_after(10s);
        deadline.async_wait([&](boost::system::error_code ec) {
            if (!ec && !storming) start_round();
        });
    });
    io.run();

    json::object r = fleet.report();
    r["initial_peer_joined_missing"] = initial_seen >= initial_expected || initial_expected == SIZE_MAX ? 0 : initial_expected - initial_seen;
    r["rounds"] = round;
    r["reloads"] = reloads;
    r["events_expected"] = events_expected;
    r["events_delivered"] = delivered;
    r["lost"] = lost;
    r["duplicated"] = duplicated;
    r["unexpected"] = unexpected;
    r["out_of_order"] = out_of_order;
    r["ack_peers_mismatch"] = ack_mismatch;
    r["peer_id_mismatch"] = peer_id_mismatch;
    r["reload_failures"] = reload_failures;
    r["replaced_expected"] = replaced_expected;
    r["replaced_seen"] = replaced_seen;
    r["round_time"] = round_times.summary();
    return r;
}

} // namespace fc::loadgen
