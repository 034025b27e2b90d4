#pragma once
// Which forgehook the admin subcommands talk to, and with which token: --server/--token, else
// FORGEHOOK_ADMIN_TOKEN, else the token generated into <data-dir>/admin_token.
#include <string>

namespace CLI {
class App;
}

namespace forgehook::cli {

struct AdminTarget {
  std::string server = "http://127.0.0.1:8765";
  std::string token;
  std::string dataDir = "./var";
  void addTo(CLI::App& command);
  // GET <server><pathAndQuery> with the bearer token; returns the body on 2xx, throws
  // std::runtime_error with the API's error message otherwise.
  [[nodiscard]] std::string get(const std::string& pathAndQuery) const;
  // Any method, with an optional JSON body; same answers as get().
  [[nodiscard]] std::string call(const std::string& method, const std::string& pathAndQuery,
                                 const std::string& jsonBody) const;

 private:
  [[nodiscard]] std::string resolvedToken() const;
};

}  // namespace forgehook::cli
