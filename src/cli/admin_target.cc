#include "cli/admin_target.h"

#include <CLI/CLI.hpp>
#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "cli/http_client.h"

namespace forgehook::cli {

void AdminTarget::addTo(CLI::App& command) {
  command.add_option("--server", server, "forgehook base URL")->capture_default_str();
  command.add_option("--token", token, "admin token (default: $FORGEHOOK_ADMIN_TOKEN or <data-dir>/admin_token)");
  command.add_option("--data-dir", dataDir, "data directory holding a generated admin_token")->capture_default_str();
}

std::string AdminTarget::resolvedToken() const {
  if (!token.empty()) return token;
  if (const char* env = std::getenv("FORGEHOOK_ADMIN_TOKEN"); env && *env) return env;
  std::ifstream in(dataDir + "/admin_token");
  std::string fromFile;
  if (in && std::getline(in, fromFile) && !fromFile.empty()) return fromFile;
  throw std::runtime_error(
      "no admin token: pass --token, set FORGEHOOK_ADMIN_TOKEN, or point --data-dir at the server's");
}

std::string AdminTarget::get(const std::string& pathAndQuery) const { return call("GET", pathAndQuery, ""); }

std::string AdminTarget::call(const std::string& method, const std::string& pathAndQuery,
                              const std::string& jsonBody) const {
  std::vector<std::pair<std::string, std::string>> headers{{"Authorization", "Bearer " + resolvedToken()}};
  if (!jsonBody.empty()) headers.emplace_back("Content-Type", "application/json");
  const auto result = httpRequest(method, server + pathAndQuery, headers, jsonBody);
  if (result.status / 100 != 2) {
    auto error = nlohmann::json::parse(result.body, nullptr, false);
    const std::string message =
        error.is_object() && error.contains("message") ? error["message"].get<std::string>() : result.body;
    throw std::runtime_error("HTTP " + std::to_string(result.status) + ": " + message);
  }
  return result.body;
}

}  // namespace forgehook::cli
