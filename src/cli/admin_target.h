#pragma once
// Which forgehook a client command talks to, and with which token. The server is --server, else
// $FORGEHOOK_SERVER, else the address `serve` wrote into <data_dir>/forgehook.addr; the token is
// --token, else $FORGEHOOK_TOKEN (the admin token or a read-only API token: read commands work
// with either), else the configured admin token (FORGEHOOK_ADMIN_TOKEN, admin.token), else
// <data_dir>/admin_token. The data directory is found the way `serve` finds it: --data-dir, else
// FORGEHOOK_DATA_DIR, else data_dir of the --config file, else ./var. Not thread-safe.
#include <optional>
#include <string>

#include "cli/config_sources.h"
#include "cli/http_client.h"
#include "core/config.h"

namespace CLI {
class App;
}

namespace forgehook::cli {

class AdminTarget {
 public:
  std::string server;  // --server; empty: discovered
  std::string token;   // --token; empty: $FORGEHOOK_TOKEN, configured or generated

  // Adds --server, --token, --data-dir and --config to `command`.
  void addTo(CLI::App& command);

  // The base URL ("http://host:port"). Throws std::runtime_error naming every place looked at
  // when no server is found.
  [[nodiscard]] std::string baseUrl() const;
  // The configuration as `serve` would load it (defaults < --config < environment < --data-dir).
  // Throws std::runtime_error on a bad value.
  [[nodiscard]] const core::Config& config() const;

  // Forgets the address read from <data_dir>/forgehook.addr, so that the next baseUrl() reads it
  // again (a restarted server may listen on another port). A --server or FORGEHOOK_SERVER URL stays.
  void forgetDiscoveredServer() const;
  // Where baseUrl() came from, for messages: "--server", "FORGEHOOK_SERVER" or the address file.
  [[nodiscard]] const std::string& serverOrigin() const { return baseUrlOrigin_; }
  // The request headers every call sends: the bearer token. Throws std::runtime_error when there is
  // no token (the message says where it looked).
  [[nodiscard]] HttpHeaders authorization() const;
  // "HTTP <status>: <the API's error message>" for a non-2xx answer.
  [[nodiscard]] static std::string errorMessage(int status, const std::string& body);

  // GET <server><pathAndQuery> with the bearer token; returns the body on 2xx, throws
  // std::runtime_error with the API's error message otherwise.
  [[nodiscard]] std::string get(const std::string& pathAndQuery) const;
  // Any method, with an optional JSON body; same answers as get().
  [[nodiscard]] std::string call(const std::string& method, const std::string& pathAndQuery,
                                 const std::string& jsonBody) const;

 private:
  [[nodiscard]] std::string resolvedToken() const;
  // Why the data directory is what it is, for error messages ("--data-dir", "the default ./var").
  [[nodiscard]] std::string dataDirOrigin() const;

  ConfigFlags configFlags_;  // only --config and --data-dir are used
  mutable std::optional<core::Config> config_;
  mutable std::string baseUrl_, baseUrlOrigin_;
};

}  // namespace forgehook::cli
