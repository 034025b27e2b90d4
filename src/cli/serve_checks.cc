#include "cli/serve_checks.h"

#include <boost/asio/ip/address.hpp>
#include <charconv>
#include <filesystem>
#include <stdexcept>

#include "core/log.h"
#include "verify/standard_webhooks.h"

namespace forgehook::cli {

std::string listenAddressProblem(const std::string& listen) {
  const auto colon = listen.rfind(':');
  if (colon == std::string::npos) return "listen must be HOST:PORT";
  std::string host = listen.substr(0, colon);
  // As app/service.cc strips [..] from an IPv6 host, and http::HttpServer maps localhost.
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  if (host == "localhost") host = "127.0.0.1";
  boost::system::error_code ec;
  (void)boost::asio::ip::make_address(host, ec);
  if (ec) return "listen: \"" + host + "\" is not an IP address";
  const std::string port = listen.substr(colon + 1);
  int value = -1;
  const auto [end, err] = std::from_chars(port.data(), port.data() + port.size(), value);
  if (port.empty() || err != std::errc{} || end != port.data() + port.size() || value < 0 || value > 65535)
    return "listen: port must be a number from 0 to 65535, got \"" + port + "\"";
  return {};
}

std::vector<std::string> serveProblems(const core::Config& config) {
  std::vector<std::string> problems;
  try {
    (void)core::parseLogLevel(config.logLevel);
  } catch (const std::invalid_argument& e) {
    problems.push_back(std::string(e.what()) + ", got \"" + config.logLevel + "\"");
  }
  // The same probe signature app/service.cc makes before it starts.
  for (const auto& key : config.gitlab.signingKeys)
    if (verify::signStandardWebhook(key, "probe", "0", "").empty()) {
      problems.push_back("gitlab.signing_key must be whsec_<base64> (one of the keys is not)");
      break;
    }
  if (auto listen = listenAddressProblem(config.listen); !listen.empty()) problems.push_back(listen);
  std::error_code ec;
  if (std::filesystem::exists(config.dataDir, ec) && !std::filesystem::is_directory(config.dataDir, ec))
    problems.push_back("data_dir " + config.dataDir + " exists and is not a directory");
  return problems;
}

}  // namespace forgehook::cli
