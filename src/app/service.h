#pragma once
// The composition root: builds the store, intake queue, secret resolver, endpoints, router and
// server from the configuration, runs until SIGINT/SIGTERM, then shuts down in order (stop
// accepting, finish in-flight requests, drain the intake queue to disk). The only place that knows
// concrete backends.
#include "core/config.h"

namespace forgehook::app {

struct ServeOptions {
  bool showSecrets = false;  // print generated secrets even when they already existed
};

// Runs the service; returns the process exit code. Throws std::runtime_error on start-up failure.
int serve(core::Config config, const ServeOptions& options);

}  // namespace forgehook::app
