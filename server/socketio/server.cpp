#include "server/socketio/server.hpp"

#include "server/engineio/session.hpp"
#include "server/socketio/client.hpp"

namespace fc::socketio {

void Server::add_namespace(std::string name, NamespaceHandler& handler) {
    namespaces_[std::move(name)] = &handler;
}

NamespaceHandler* Server::find_namespace(std::string_view name) const {
    auto it = namespaces_.find(name);
    return it == namespaces_.end() ? nullptr : it->second;
}

void Server::on_connection(engineio::Session& session) {
    session.set_handler(std::make_unique<Client>(*this, session));
}

} // namespace fc::socketio
