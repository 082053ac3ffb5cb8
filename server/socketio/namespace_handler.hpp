// The interface through which a namespace's application logic sees its
// sockets come, speak and go.
#pragma once

#include "server/socketio/socket.hpp"

#include <string_view>

namespace fc::socketio {

class NamespaceHandler {
public:
    virtual ~NamespaceHandler() = default;
    // `auth` is the raw CONNECT payload (empty when none was sent).
    virtual void on_connect(Socket& socket, std::string_view auth) = 0;
    virtual void on_event(Socket& socket, const Event& event) = 0;
    // Called once per connected socket; the socket is destroyed after.
    virtual void on_disconnect(Socket& socket, std::string_view reason) = 0;
};

} // namespace fc::socketio
