// The scenarios of the load generator; each runs the io_context to the end
// and returns its figures as one JSON object.
#pragma once

#include "bench/loadgen/options.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/json/object.hpp>

namespace fc::loadgen {

boost::json::object run_relay(boost::asio::io_context& io, const Options& o);
boost::json::object run_latency(boost::asio::io_context& io, const Options& o);
boost::json::object run_idle(boost::asio::io_context& io, const Options& o);
boost::json::object run_join_storm(boost::asio::io_context& io, const Options& o);
boost::json::object run_reload_storm(boost::asio::io_context& io, const Options& o);
// A minimal relay server (no validation, no rooms): the generator's ceiling
// and the floor under any relay's CPU per signal. Runs until killed.
[[noreturn]] void run_sink(const Options& o);

} // namespace fc::loadgen
