// --workers N: N server processes on this machine behind one port. Each is
// a full node of the cluster (its own Engine.IO sessions, its own Redis
// connections); the kernel spreads new connections over them
// (SO_REUSEPORT), and a request that lands on the wrong one is passed to
// the owner like between machines. The parent only supervises: it starts
// the workers, restarts one that dies, and stops them all on SIGINT/SIGTERM.
#pragma once

#include "server/app/config.hpp"

namespace fc::app {

// Runs until a signal stops the workers; returns the exit code.
int run_workers(Config config);

} // namespace fc::app
