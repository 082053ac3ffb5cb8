// Test support: a rooms::Notifier that writes down who was told what, one
// line per notice ("joined <clientId> -> <conns>", "left <peerId> <reason>
// -> <conns>", "replaced <conn>", "relayed <json> -> <conn>"). A notice to
// no one is no notice: whether a directory hands over empty lists is its
// own affair. Shared by the rooms contract and the cluster's tests.
#pragma once

#include "server/rooms/room_directory.hpp"

#include <algorithm>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace fc::rooms::test {

struct Recorder final : Notifier {
    std::vector<std::string> log;
    std::vector<Member> joined; // whom peer_joined named, names included
    std::vector<std::string> attachments; // of the last relayed signal

    void peer_joined(std::span<const ConnId> to, const Member& who) override {
        if (to.empty())
            return;
        joined.push_back(who);
        log.push_back("joined " + who.client_id + " ->" + list(to));
    }
    void peer_left(std::span<const ConnId> to, std::string_view peer_id, LeaveReason r) override {
        if (!to.empty())
            log.push_back("left " + std::string(peer_id) + " " + std::string(to_string(r)) + " ->" +
                          list(to));
    }
    void replaced(ConnId conn) override { log.push_back("replaced " + std::to_string(conn)); }
    void relayed(ConnId to, std::string_view json, std::span<const std::string> att) override {
        log.push_back("relayed " + std::string(json) + " -> " + std::to_string(to));
        attachments.assign(att.begin(), att.end());
    }
    bool heard(const std::string& what) const {
        return std::find(log.begin(), log.end(), what) != log.end();
    }
    static std::string list(std::span<const ConnId> to) {
        std::string s;
        for (auto c : to) {
            s += ' ';
            s += std::to_string(c);
        }
        return s;
    }
};

inline JoinRequest req(std::string_view room, std::string_view client, std::string_view name = "") {
    return {room, client, name};
}

} // namespace fc::rooms::test
