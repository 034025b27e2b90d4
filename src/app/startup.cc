#include "app/startup.h"

#include <malloc.h>

#include <boost/asio/ip/address.hpp>
#include <charconv>
#include <filesystem>

#include <algorithm>
#include <csignal>
#include <iostream>
#include <stdexcept>
#include <thread>

#include "rules/rule_set.h"
#include "core/forge.h"
#include "core/log.h"
#include "verify/standard_webhooks.h"

namespace forgehook::app {
namespace {

// "HOST:PORT" with HOST an IP address (or localhost, or [IPv6]) and PORT 0-65535; the reason otherwise.
std::string listenAddressProblem(const std::string& listen) {
  const auto colon = listen.rfind(':');
  if (colon == std::string::npos) return "listen must be HOST:PORT";
  std::string host = listen.substr(0, colon);
  // As serverOptions() strips [..] from an IPv6 host, and http::HttpServer maps localhost.
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

}  // namespace

sigset_t prepareProcess() {
  sigset_t stopSignals;
  sigemptyset(&stopSignals);
  sigaddset(&stopSignals, SIGINT);
  sigaddset(&stopSignals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stopSignals, nullptr);
  std::signal(SIGPIPE, SIG_IGN);
  // Every delivery allocates and frees a few body-sized buffers; without this glibc keeps handing
  // the top of the heap back to the kernel and growing it again (sysmalloc) under steady load.
  mallopt(M_TRIM_THRESHOLD, 64 << 20);
  mallopt(M_MMAP_THRESHOLD, 32 << 20);
  return stopSignals;
}

std::vector<std::string> configProblems(const core::Config& config) {
  std::vector<std::string> problems;
  try {
    (void)core::parseLogLevel(config.logLevel);
  } catch (const std::invalid_argument& e) {
    problems.push_back(std::string(e.what()) + ", got \"" + config.logLevel + "\"");
  }
  // [[rules]] whose regular expressions or templates do not compile, named by rule.
  if (auto rules = rules::RuleSet::compile(config.rules); !rules) problems.push_back(rules.error().message);
  // A malformed signing key is our configuration's fault: refuse to start rather than 401 every delivery.
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

void checkConfig(const core::Config& config) {
  if (const auto problems = configProblems(config); !problems.empty()) throw std::runtime_error(problems.front());
}

GeneratedSecrets prepareSecrets(core::Config& config) {
  GeneratedSecrets out;
  if (config.github.secrets.empty() && !config.github.allowUnsigned) {
    out.github = loadOrCreateSecret(config.dataDir, "github_secret");
    config.github.secrets = {out.github->value};
  }
  if (config.adminToken.empty()) {
    out.adminToken = loadOrCreateSecret(config.dataDir, "admin_token");
    config.adminToken = out.adminToken->value;
  }
  return out;
}

http::ServerOptions serverOptions(const core::Config& c) {
  if (auto problem = listenAddressProblem(c.listen); !problem.empty()) throw std::runtime_error(problem);
  http::ServerOptions o;
  const auto colon = c.listen.rfind(':');
  o.host = c.listen.substr(0, colon);
  if (o.host.size() > 2 && o.host.front() == '[') o.host = o.host.substr(1, o.host.size() - 2);
  const int port = std::stoi(c.listen.substr(colon + 1));
  if (port < 0 || port > 65535) throw std::runtime_error("listen: port out of range");
  o.port = static_cast<std::uint16_t>(port);
  const int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  // One core is left to the group-commit writer and the WAL checkpointer, which run beside the
  // I/O threads; on 2 cores one I/O thread measured ~15% faster than two (docs/PERFORMANCE.md).
  o.ioThreads = c.server.threads > 0 ? c.server.threads : std::max(1, cores - 1);
  o.blockingThreads = 2;
  o.maxHeaderBytes = c.server.maxHeaderBytes;
  o.headerTimeout = std::chrono::milliseconds(c.server.headerTimeoutMs);
  o.bodyTimeout = std::chrono::milliseconds(c.server.bodyTimeoutMs);
  o.idleTimeout = std::chrono::milliseconds(c.server.idleTimeoutMs);
  o.maxConnections = c.server.maxConnections;
  o.maxConnectionsPerIp = c.server.maxConnectionsPerIp;
  o.maxStreams = c.server.maxStreams;
  o.streamThreads = c.server.streamThreads;
  o.streams.heartbeat = std::chrono::milliseconds(c.server.streamHeartbeatMs);
  o.streams.idleTimeout = std::chrono::milliseconds(c.server.streamIdleTimeoutMs);
  o.streams.maxQueuedBytes = static_cast<std::size_t>(c.server.streamQueueBytes);
  return o;
}

void printBanner(const std::string& address, const GeneratedSecrets& generated, const std::string& dataDir,
                 bool showSecrets, const std::string& store) {
  const GeneratedSecret* githubSecret = generated.github ? &*generated.github : nullptr;
  const GeneratedSecret* adminToken = generated.adminToken ? &*generated.adminToken : nullptr;
  std::cout << "forgehook is listening on http://" << address << "\n"
            << "  GitHub webhook URL:        http://" << address << "/webhooks/" << core::forgeName(core::Forge::GitHub)
            << "\n"
            << "  GitLab webhook URL:        http://" << address << "/webhooks/" << core::forgeName(core::Forge::GitLab)
            << "\n"
            << "  Gitea/Forgejo webhook URL: http://" << address << "/webhooks/" << core::forgeName(core::Forge::Gitea)
            << "\n"
            << "  Data directory:            " << dataDir << "\n";
  if (!store.empty()) std::cout << "  Store:                     " << store << "\n";
  if (githubSecret) {
    if (githubSecret->createdNow || showSecrets)
      std::cout << "  GitHub webhook secret:     " << githubSecret->value << "\n"
                << "    (paste it as the hook's Secret, content type application/json; kept in " << githubSecret->path
                << ")\n";
    else
      std::cout << "  GitHub webhook secret:     kept in " << githubSecret->path
                << " (forgehook serve --show-secrets prints it)\n";
  }
  if (adminToken) {
    if (adminToken->createdNow || showSecrets)
      std::cout << "  Admin API token:           " << adminToken->value << "\n    (kept in " << adminToken->path
                << ")\n";
    else
      std::cout << "  Admin API token:           kept in " << adminToken->path << "\n";
  }
  std::cout.flush();
}

}  // namespace forgehook::app
