#include "cli/admin_target.h"

#include <CLI/CLI.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "cli/http_client.h"
#include "cli/server_address.h"

namespace forgehook::cli {
namespace {

std::string absolute(const std::string& path) {
  std::error_code ec;
  const auto abs = std::filesystem::absolute(path, ec);
  return ec ? path : abs.lexically_normal().string();
}

std::string firstLine(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  if (in) std::getline(in, line);
  while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
  return line;
}

}  // namespace

void AdminTarget::addTo(CLI::App& command) {
  command.add_option("--server", server,
                     "forgehook URL, http://HOST:PORT; only for a remote server (default: $FORGEHOOK_SERVER, else "
                     "<data-dir>/forgehook.addr written by serve)");
  command.add_option("--token", token,
                     "admin token, or a read-only API token for read commands (default: $FORGEHOOK_TOKEN, "
                     "$FORGEHOOK_ADMIN_TOKEN, admin.token, else <data-dir>/admin_token)");
  command.add_option("--data-dir", configFlags_.dataDir,
                     "the server's data directory (default: $FORGEHOOK_DATA_DIR, data_dir of --config, else ./var)");
  command.add_option("--config", configFlags_.configPath, "the server's TOML configuration file")
      ->check(CLI::ExistingFile);
}

const core::Config& AdminTarget::config() const {
  if (!config_) {
    try {
      config_ = configFlags_.load();
    } catch (const std::invalid_argument& e) {
      throw std::runtime_error(std::string("reading the configuration to find the server: ") + e.what());
    }
  }
  return *config_;
}

std::string AdminTarget::dataDirOrigin() const {
  if (!configFlags_.dataDir.empty()) return "--data-dir";
  if (const char* env = std::getenv("FORGEHOOK_DATA_DIR"); env && *env) return "FORGEHOOK_DATA_DIR";
  if (!configFlags_.configPath.empty()) return "data_dir in " + configFlags_.configPath + " (or the default ./var)";
  return "the default ./var";
}

std::string AdminTarget::baseUrl() const {
  if (!baseUrl_.empty()) return baseUrl_;
  if (!server.empty()) {
    baseUrl_ = normalizeServerUrl(server);
    baseUrlOrigin_ = "--server";
    return baseUrl_;
  }
  if (const char* env = std::getenv("FORGEHOOK_SERVER"); env && *env) {
    baseUrl_ = normalizeServerUrl(env);
    baseUrlOrigin_ = "FORGEHOOK_SERVER";
    return baseUrl_;
  }
  const std::string addrFile = absolute(config().dataDir + "/forgehook.addr");
  if (const auto address = firstLine(addrFile); !address.empty()) {
    baseUrl_ = urlFromBoundAddress(address);
    baseUrlOrigin_ = addrFile;
    return baseUrl_;
  }
  throw std::runtime_error(
      "no forgehook server found. Looked at:\n"
      "  --server: not given\n"
      "  FORGEHOOK_SERVER: not set\n"
      "  " +
      addrFile + ": no such file (data directory from " + dataDirOrigin() + ")\n" +
      "Start one with `forgehook serve`, or point to one with --data-dir DIR (the server's data "
      "directory), --server http://HOST:PORT or FORGEHOOK_SERVER=http://HOST:PORT.");
}

std::string AdminTarget::resolvedToken() const {
  if (!token.empty()) return token;
  if (const char* env = std::getenv("FORGEHOOK_TOKEN"); env && *env) return env;
  // A server named by --server or FORGEHOOK_SERVER may be another machine: the token of the local
  // data directory or configuration is never sent there, only one given for it.
  (void)baseUrl();
  if (baseUrlOrigin_ == "--server" || baseUrlOrigin_ == "FORGEHOOK_SERVER") {
    if (const char* env = std::getenv("FORGEHOOK_ADMIN_TOKEN"); env && *env) return env;
    throw std::runtime_error("no token for the server given by " + baseUrlOrigin_ +
                             ": pass --token or set FORGEHOOK_TOKEN or FORGEHOOK_ADMIN_TOKEN (the local data "
                             "directory's token is not sent to a server named explicitly)");
  }
  if (!config().adminToken.empty()) return config().adminToken;
  const std::string tokenFile = absolute(config().dataDir + "/admin_token");
  if (auto fromFile = firstLine(tokenFile); !fromFile.empty()) return fromFile;
  throw std::runtime_error(
      "no admin token. Looked at: --token (not given), FORGEHOOK_TOKEN, FORGEHOOK_ADMIN_TOKEN and admin.token "
      "(not set), " +
      tokenFile + " (not found; data directory from " + dataDirOrigin() +
      "). Pass --token, or --data-dir pointing at the server's data directory.");
}

void AdminTarget::forgetDiscoveredServer() const {
  if (baseUrlOrigin_ != "--server" && baseUrlOrigin_ != "FORGEHOOK_SERVER") {
    baseUrl_.clear();
    baseUrlOrigin_.clear();
  }
}

HttpHeaders AdminTarget::authorization() const { return {{"Authorization", "Bearer " + resolvedToken()}}; }

std::string AdminTarget::errorMessage(int status, const std::string& body) {
  auto error = nlohmann::json::parse(body, nullptr, false);
  const std::string message = error.is_object() && error.contains("message") && error["message"].is_string()
                                  ? error["message"].get<std::string>()
                                  : body;
  return "HTTP " + std::to_string(status) + ": " + message;
}

std::string AdminTarget::get(const std::string& pathAndQuery) const { return call("GET", pathAndQuery, ""); }

std::string AdminTarget::call(const std::string& method, const std::string& pathAndQuery,
                              const std::string& jsonBody) const {
  const std::string base = baseUrl();
  HttpHeaders headers = authorization();
  if (!jsonBody.empty()) headers.emplace_back("Content-Type", "application/json");
  HttpResult result;
  try {
    result = httpRequest(method, base + pathAndQuery, headers, jsonBody);
  } catch (const std::runtime_error& e) {
    // A stale address file outlives a killed server: say where the address came from.
    throw std::runtime_error(std::string(e.what()) + " (server address from " + baseUrlOrigin_ +
                             (baseUrlOrigin_.ends_with("forgehook.addr") ? "; is `forgehook serve` running?)" : ")"));
  }
  if (result.status / 100 != 2) throw std::runtime_error(errorMessage(result.status, result.body));
  return result.body;
}

}  // namespace forgehook::cli
