#pragma once
// What `serve` checks and prepares before anything listens: the configuration checks that would
// otherwise fail later (a malformed GitLab signing key would 401 every delivery), the server's
// options, the secrets generated on first start, and the banner. `forgehook config --check` runs
// the same checks.
#include <signal.h>

#include <optional>
#include <string>
#include <vector>

#include "app/data_dir.h"
#include "core/config.h"
#include "http/server.h"

namespace forgehook::app {

// Blocks SIGINT and SIGTERM (every thread started later inherits the mask, so only the caller's
// sigwait receives them), ignores SIGPIPE and tunes malloc for steady load. Call before any thread
// starts; returns the stop signals to wait for.
[[nodiscard]] sigset_t prepareProcess();

// Every setting `serve` would refuse, one message each; empty when it would start.
[[nodiscard]] std::vector<std::string> configProblems(const core::Config& config);
// Throws std::runtime_error with the first of configProblems().
void checkConfig(const core::Config& config);

// The listener's options from the configuration. Throws std::runtime_error for a bad `listen`.
[[nodiscard]] http::ServerOptions serverOptions(const core::Config& config);

// The GitHub secret and admin token generated into the data directory when none is configured;
// fills them into `config`.
struct GeneratedSecrets {
  std::optional<GeneratedSecret> github, adminToken;
};
[[nodiscard]] GeneratedSecrets prepareSecrets(core::Config& config);

// `store`: what the node serves from when it is not the SQLite store in the data directory
// ("" for that default: no line).
void printBanner(const std::string& address, const GeneratedSecrets& generated, const std::string& dataDir,
                 bool showSecrets, const std::string& store = "");

}  // namespace forgehook::app
