// The HTTP message types shared by the HTTP layer, and the interface
// through which a request's answer goes back to its connection.
#pragma once

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include <memory>

namespace fc::http {

namespace beast_http = boost::beast::http;
using Request = beast_http::request<beast_http::string_body>;
using Response = beast_http::response<beast_http::string_body>;

// A connection waiting for the response to its current request. May be
// answered later (a held long-polling GET); answered exactly once.
class Responder {
public:
    virtual ~Responder() = default;
    virtual void send(Response res) = 0;
};
using ResponderPtr = std::shared_ptr<Responder>;

} // namespace fc::http
