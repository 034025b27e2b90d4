#include "core/config.h"

#include <toml++/toml.h>

#include <charconv>
#include <functional>
#include <sstream>
#include <stdexcept>

#include "core/rules_toml.h"

extern char** environ;

namespace forgehook::core {
namespace {

enum class Kind { String, Int, Double, Bool, List };

// One configuration key: its dotted name, type, and how to read and write it on a Config.
struct Key {
  std::string name;
  Kind kind;
  bool secret;
  std::function<void(Config&, const std::string&)> set;  // from text (env, flags)
  std::function<std::string(const Config&)> show;
  // List keys only: items from a TOML array, kept exactly (commas and spaces are part of a secret).
  std::function<void(Config&, std::vector<std::string>)> setList = nullptr;
};

std::int64_t toSignedInt(const std::string& key, const std::string& text) {
  std::int64_t v = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc{} || p != text.data() + text.size())
    throw std::invalid_argument(key + " must be an integer, got \"" + text + "\"");
  return v;
}

std::int64_t toInt(const std::string& key, const std::string& text) {
  const std::int64_t v = toSignedInt(key, text);
  if (v < 0) throw std::invalid_argument(key + " must be a non-negative integer, got \"" + text + "\"");
  return v;
}

double toDouble(const std::string& key, const std::string& text) {
  try {
    std::size_t used = 0;
    double v = std::stod(text, &used);
    if (used == text.size() && v >= 0) return v;
  } catch (const std::exception&) {
  }
  throw std::invalid_argument(key + " must be a non-negative number, got \"" + text + "\"");
}

bool toBool(const std::string& key, const std::string& text) {
  if (text == "true" || text == "1" || text == "yes" || text == "on") return true;
  if (text == "false" || text == "0" || text == "no" || text == "off" || text.empty()) return false;
  throw std::invalid_argument(key + " must be true or false, got \"" + text + "\"");
}

std::vector<std::string> toList(const std::string& text) {
  std::vector<std::string> out;
  std::stringstream in(text);
  std::string item;
  while (std::getline(in, item, ',')) {
    const auto b = item.find_first_not_of(" \t");
    const auto e = item.find_last_not_of(" \t");
    if (b != std::string::npos) out.push_back(item.substr(b, e - b + 1));
  }
  return out;
}

std::string join(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : ",") + s;
  return out;
}

#define FH_STR(NAME, FIELD)                                                          \
  Key {                                                                              \
    NAME, Kind::String, false, [](Config& c, const std::string& v) { c.FIELD = v; }, \
        [](const Config& c) { return c.FIELD; }                                      \
  }
#define FH_INT(NAME, FIELD)                                                                    \
  Key {                                                                                        \
    NAME, Kind::Int, false, [](Config& c, const std::string& v) { c.FIELD = toInt(NAME, v); }, \
        [](const Config& c) { return std::to_string(c.FIELD); }                                \
  }
#define FH_SINT(NAME, FIELD)                                                                         \
  Key {                                                                                              \
    NAME, Kind::Int, false, [](Config& c, const std::string& v) { c.FIELD = toSignedInt(NAME, v); }, \
        [](const Config& c) { return std::to_string(c.FIELD); }                                      \
  }
#define FH_DBL(NAME, FIELD)                                                                          \
  Key {                                                                                              \
    NAME, Kind::Double, false, [](Config& c, const std::string& v) { c.FIELD = toDouble(NAME, v); }, \
        [](const Config& c) { return std::to_string(c.FIELD); }                                      \
  }
#define FH_BOOL(NAME, FIELD)                                                                     \
  Key {                                                                                          \
    NAME, Kind::Bool, false, [](Config& c, const std::string& v) { c.FIELD = toBool(NAME, v); }, \
        [](const Config& c) { return std::string(c.FIELD ? "true" : "false"); }                  \
  }
#define FH_SECRETS(NAME, FIELD)                                                           \
  Key {                                                                                   \
    NAME, Kind::List, true, [](Config& c, const std::string& v) { c.FIELD = toList(v); }, \
        [](const Config& c) { return join(c.FIELD); },                                    \
        [](Config& c, std::vector<std::string> items) { c.FIELD = std::move(items); }     \
  }

const std::vector<Key>& keys() {
  static const std::vector<Key> kKeys = {
      FH_STR("listen", listen),
      FH_STR("data_dir", dataDir),
      FH_INT("server.threads", server.threads),
      FH_INT("server.max_body_bytes", server.maxBodyBytes),
      FH_INT("server.max_header_bytes", server.maxHeaderBytes),
      FH_INT("server.header_timeout_ms", server.headerTimeoutMs),
      FH_INT("server.body_timeout_ms", server.bodyTimeoutMs),
      FH_INT("server.idle_timeout_ms", server.idleTimeoutMs),
      FH_INT("server.max_connections", server.maxConnections),
      FH_INT("server.max_connections_per_ip", server.maxConnectionsPerIp),
      FH_INT("server.max_streams", server.maxStreams),
      FH_SINT("server.stream_threads", server.streamThreads),
      FH_INT("server.stream_heartbeat_ms", server.streamHeartbeatMs),
      FH_INT("server.stream_idle_timeout_ms", server.streamIdleTimeoutMs),
      FH_INT("server.stream_queue_bytes", server.streamQueueBytes),
      FH_STR("store.synchronous", store.synchronous),
      FH_SINT("store.compression_level", store.compressionLevel),
      FH_INT("store.max_bytes", store.maxBytes),
      FH_INT("store.retention_days", store.retentionDays),
      FH_BOOL("store.quick_check_at_start", store.quickCheckAtStart),
      FH_STR("store.backend", store.backend),
      // A URL may carry a password (postgresql://user:pw@host/db): masked like one.
      Key{"store.postgres.url", Kind::String, true, [](Config& c, const std::string& v) { c.store.postgres.url = v; },
          [](const Config& c) { return c.store.postgres.url; }},
      Key{"store.postgres.password", Kind::String, true,
          [](Config& c, const std::string& v) { c.store.postgres.password = v; },
          [](const Config& c) { return c.store.postgres.password; }},
      FH_STR("store.postgres.password_file", store.postgres.passwordFile),
      FH_STR("store.postgres.node", store.postgres.node),
      FH_INT("store.postgres.claim_lease_seconds", store.postgres.claimLeaseSeconds),
      FH_INT("store.postgres.pool_size", store.postgres.poolSize),
      FH_INT("intake.max_pending", intake.maxPending),
      FH_INT("intake.max_batch", intake.maxBatch),
      FH_BOOL("pipeline.enabled", pipeline.enabled),
      FH_INT("pipeline.batch_size", pipeline.batchSize),
      FH_INT("pipeline.max_attempts", pipeline.maxAttempts),
      FH_INT("pipeline.retry_base_ms", pipeline.retryBaseMs),
      FH_INT("pipeline.retry_max_ms", pipeline.retryMaxMs),
      FH_INT("pipeline.poll_interval_ms", pipeline.pollIntervalMs),
      FH_DBL("pipeline.share_while_ingesting", pipeline.shareWhileIngesting),
      FH_INT("pipeline.nice", pipeline.nice),
      FH_INT("changes.retention_days", changes.retentionDays),
      FH_INT("changes.retention_records", changes.retentionRecords),
      FH_INT("dashboard.session_ttl_hours", dashboard.sessionTtlHours),
      FH_BOOL("dashboard.secure_cookie", dashboard.secureCookie),
      FH_INT("subscriptions.retry_initial_ms", subscriptions.retryInitialMs),
      FH_INT("subscriptions.retry_max_ms", subscriptions.retryMaxMs),
      FH_INT("subscriptions.retry_period_s", subscriptions.retryPeriodS),
      FH_INT("subscriptions.disable_after_failed_messages", subscriptions.disableAfterFailedMessages),
      FH_INT("subscriptions.senders", subscriptions.senders),
      FH_INT("subscriptions.connect_timeout_ms", subscriptions.connectTimeoutMs),
      FH_INT("subscriptions.timeout_ms", subscriptions.timeoutMs),
      FH_BOOL("subscriptions.allow_private_networks", subscriptions.allowPrivateNetworks),
      FH_STR("forges.public_url", forges.publicUrl),
      FH_INT("forges.reconcile_interval_s", forges.reconcileIntervalS),
      FH_INT("forges.reconcile_window_s", forges.reconcileWindowS),
      FH_INT("forges.secret_grace_s", forges.secretGraceS),
      FH_INT("forges.api_timeout_ms", forges.apiTimeoutMs),
      FH_INT("forges.max_rate_wait_s", forges.maxRateWaitS),
      FH_INT("forges.poll_min_interval_s", forges.pollMinIntervalS),
      FH_DBL("limits.rate_per_second", limits.ratePerSecond),
      FH_DBL("limits.rate_burst", limits.rateBurst),
      FH_INT("limits.signature_failures_burst", limits.signatureFailuresBurst),
      FH_DBL("limits.signature_failures_per_minute", limits.signatureFailuresPerMinute),
      FH_SECRETS("github.secret", github.secrets),
      FH_BOOL("github.legacy_sha1", github.legacySha1),
      FH_BOOL("github.allow_unsigned", github.allowUnsigned),
      FH_SECRETS("gitlab.token", gitlab.secrets),
      FH_SECRETS("gitlab.signing_key", gitlab.signingKeys),
      FH_INT("gitlab.timestamp_tolerance_s", gitlab.timestampToleranceS),
      FH_BOOL("gitlab.allow_unsigned", gitlab.allowUnsigned),
      FH_SECRETS("gitea.secret", gitea.secrets),
      FH_BOOL("gitea.allow_unsigned", gitea.allowUnsigned),
      FH_INT("commands.max_running", commands.maxRunning),
      FH_INT("commands.kill_grace_ms", commands.killGraceMs),
      Key{"admin.token", Kind::String, true, [](Config& c, const std::string& v) { c.adminToken = v; },
          [](const Config& c) { return c.adminToken; }},
      FH_STR("log.level", logLevel),
  };
  return kKeys;
}

std::string envName(const std::string& key) {
  std::string out = "FORGEHOOK_";
  for (char ch : key) out += ch == '.' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  return out;
}

std::vector<std::string> tomlList(const std::string& key, const toml::array& arr) {
  std::vector<std::string> items;
  for (const auto& el : arr) {
    const auto s = el.value<std::string>();
    if (!s) throw std::invalid_argument(key + " must be a list of strings");
    items.push_back(*s);
  }
  return items;
}

// A TOML scalar as the same text the environment would carry.
std::string tomlText(const std::string& key, const toml::node& node) {
  if (const auto s = node.value_exact<std::string>()) return *s;
  if (const auto i = node.value_exact<std::int64_t>()) return std::to_string(*i);
  if (const auto d = node.value_exact<double>()) return std::to_string(*d);
  if (const auto b = node.value_exact<bool>()) return *b ? "true" : "false";
  throw std::invalid_argument(key + " has an unsupported TOML type");
}

void collectTomlKeys(const toml::table& table, const std::string& prefix,
                     std::map<std::string, const toml::node*>& out) {
  for (const auto& [k, v] : table) {
    const std::string name = prefix.empty() ? std::string(k.str()) : prefix + "." + std::string(k.str());
    if (const auto* sub = v.as_table())
      collectTomlKeys(*sub, name, out);
    else
      out[name] = &v;
  }
}

}  // namespace

Config loadConfig(const ConfigSources& sources) {
  Config config;
  if (sources.tomlPath || sources.tomlText) {
    const std::string where = sources.tomlText ? std::string("the given TOML") : *sources.tomlPath;
    toml::table table;
    try {
      table = sources.tomlText ? toml::parse(*sources.tomlText) : toml::parse_file(*sources.tomlPath);
    } catch (const toml::parse_error& e) {
      throw std::invalid_argument("cannot read config " + where + ": " + std::string(e.description()));
    }
    // [[rules]] is an array of tables, read on its own; a [rules] table is refused there too.
    if (const toml::node* rules = table.get("rules")) {
      config.rules = rulesFromToml(*rules);
      table.erase("rules");
    }
    std::map<std::string, const toml::node*> found;
    collectTomlKeys(table, "", found);
    for (const auto& [name, node] : found) {
      const Key* key = nullptr;
      for (const auto& k : keys())
        if (k.name == name) key = &k;
      if (!key) throw std::invalid_argument("unknown configuration key \"" + name + "\" in " + where);
      if (const auto* arr = node->as_array(); arr && key->setList)
        key->setList(config, tomlList(name, *arr));
      else
        key->set(config, tomlText(name, *node));
    }
  }
  for (const auto& key : keys()) {
    if (auto it = sources.environment.find(envName(key.name)); it != sources.environment.end())
      key.set(config, it->second);
  }
  for (const auto& [name, value] : sources.flags) {
    bool known = false;
    for (const auto& key : keys()) {
      if (key.name == name) {
        key.set(config, value);
        known = true;
      }
    }
    if (!known) throw std::invalid_argument("unknown configuration key \"" + name + "\"");
  }
  if (config.server.streamThreads < 0 || config.server.streamThreads > 64)
    throw std::invalid_argument("server.stream_threads must be between 0 and 64");
  if (config.server.maxStreams > 1'000'000)
    throw std::invalid_argument("server.max_streams must be between 0 and 1000000");
  if (config.server.streamHeartbeatMs < 100 || config.server.streamHeartbeatMs > 3'600'000)
    throw std::invalid_argument("server.stream_heartbeat_ms must be between 100 and 3600000");
  // A WebSocket client answers a ping within the idle timeout: it must outlast one heartbeat.
  if (config.server.streamIdleTimeoutMs <= config.server.streamHeartbeatMs ||
      config.server.streamIdleTimeoutMs > 3'600'000)
    throw std::invalid_argument(
        "server.stream_idle_timeout_ms must be greater than server.stream_heartbeat_ms and at most 3600000");
  if (config.server.streamQueueBytes < 16 * 1024 || config.server.streamQueueBytes > (std::int64_t{1} << 30))
    throw std::invalid_argument("server.stream_queue_bytes must be between 16384 and 1073741824");
  if (config.store.synchronous != "full" && config.store.synchronous != "normal")
    throw std::invalid_argument("store.synchronous must be \"full\" or \"normal\"");
  if (config.store.compressionLevel > 19 || config.store.compressionLevel < -7)
    throw std::invalid_argument("store.compression_level must be between -7 and 19");
  if (config.store.retentionDays < 0 || config.store.retentionDays > 36500)
    throw std::invalid_argument("store.retention_days must be between 0 (keep forever) and 36500");
  if (config.store.backend != "sqlite" && config.store.backend != "postgres")
    throw std::invalid_argument("store.backend must be \"sqlite\" or \"postgres\"");
  if (config.store.backend == "postgres" && config.store.postgres.url.empty())
    throw std::invalid_argument("store.backend = \"postgres\" needs store.postgres.url (a libpq connection string or URI)");
  if (config.store.postgres.claimLeaseSeconds < 1 || config.store.postgres.claimLeaseSeconds > 3600)
    throw std::invalid_argument("store.postgres.claim_lease_seconds must be between 1 and 3600");
  if (config.store.postgres.poolSize < 2 || config.store.postgres.poolSize > 256)
    throw std::invalid_argument("store.postgres.pool_size must be between 2 and 256");
  if (config.intake.maxBatch < 1) throw std::invalid_argument("intake.max_batch must be at least 1");
  if (config.intake.maxPending < 1) throw std::invalid_argument("intake.max_pending must be at least 1");
  if (config.pipeline.batchSize < 1 || config.pipeline.batchSize > 1000)
    throw std::invalid_argument("pipeline.batch_size must be between 1 and 1000");
  if (config.pipeline.maxAttempts < 1) throw std::invalid_argument("pipeline.max_attempts must be at least 1");
  if (config.pipeline.retryBaseMs < 1 || config.pipeline.retryMaxMs < config.pipeline.retryBaseMs)
    throw std::invalid_argument("pipeline.retry_base_ms must be at least 1 and at most pipeline.retry_max_ms");
  if (config.changes.retentionDays < 1 || config.changes.retentionDays > 3650)
    throw std::invalid_argument("changes.retention_days must be between 1 and 3650");
  if (config.changes.retentionRecords < 1000)
    throw std::invalid_argument("changes.retention_records must be at least 1000");
  if (config.dashboard.sessionTtlHours < 1 || config.dashboard.sessionTtlHours > 720)
    throw std::invalid_argument("dashboard.session_ttl_hours must be between 1 and 720");
  const auto& subs = config.subscriptions;
  if (subs.retryInitialMs < 100 || subs.retryMaxMs < subs.retryInitialMs || subs.retryMaxMs > 86'400'000)
    throw std::invalid_argument(
        "subscriptions.retry_initial_ms must be at least 100 and at most subscriptions.retry_max_ms (at most "
        "86400000)");
  if (subs.retryPeriodS < 1 || subs.retryPeriodS > 30 * 86400)
    throw std::invalid_argument("subscriptions.retry_period_s must be between 1 and 2592000");
  if (subs.disableAfterFailedMessages < 0)
    throw std::invalid_argument("subscriptions.disable_after_failed_messages must be 0 (never) or more");
  if (subs.senders < 1 || subs.senders > 64)
    throw std::invalid_argument("subscriptions.senders must be between 1 and 64");
  if (subs.connectTimeoutMs < 100 || subs.timeoutMs < subs.connectTimeoutMs || subs.timeoutMs > 300'000)
    throw std::invalid_argument(
        "subscriptions.connect_timeout_ms must be at least 100 and at most subscriptions.timeout_ms (at most 300000)");
  const auto& forges = config.forges;
  if (!forges.publicUrl.empty() && !forges.publicUrl.starts_with("https://") && !forges.publicUrl.starts_with("http://"))
    throw std::invalid_argument("forges.public_url must start with https:// or http://");
  if (forges.reconcileIntervalS != 0 && (forges.reconcileIntervalS < 10 || forges.reconcileIntervalS > 86400))
    throw std::invalid_argument("forges.reconcile_interval_s must be 0 (on demand only) or between 10 and 86400");
  if (forges.reconcileWindowS < 3600 || forges.reconcileWindowS > 30 * 86400)
    throw std::invalid_argument("forges.reconcile_window_s must be between 3600 and 2592000");
  if (forges.secretGraceS < 0 || forges.secretGraceS > 7 * 86400)
    throw std::invalid_argument("forges.secret_grace_s must be between 0 and 604800");
  if (forges.apiTimeoutMs < 100 || forges.apiTimeoutMs > 300'000)
    throw std::invalid_argument("forges.api_timeout_ms must be between 100 and 300000");
  if (forges.maxRateWaitS < 0 || forges.maxRateWaitS > 3600)
    throw std::invalid_argument("forges.max_rate_wait_s must be between 0 and 3600");
  if (forges.pollMinIntervalS < 1 || forges.pollMinIntervalS > 3600)
    throw std::invalid_argument("forges.poll_min_interval_s must be between 1 and 3600");
  if (config.pipeline.pollIntervalMs < 10) throw std::invalid_argument("pipeline.poll_interval_ms must be at least 10");
  if (!(config.pipeline.shareWhileIngesting > 0.0 && config.pipeline.shareWhileIngesting <= 1.0))
    throw std::invalid_argument("pipeline.share_while_ingesting must be above 0 and at most 1");
  if (config.pipeline.nice < 0 || config.pipeline.nice > 19)
    throw std::invalid_argument("pipeline.nice must be between 0 and 19");
  if (config.limits.signatureFailuresBurst > 1'000'000)
    throw std::invalid_argument("limits.signature_failures_burst must be between 0 and 1000000");
  if (config.limits.signatureFailuresBurst > 0 && config.limits.signatureFailuresPerMinute <= 0)
    throw std::invalid_argument(
        "limits.signature_failures_per_minute must be above 0 while limits.signature_failures_burst is");
  if (config.commands.maxRunning < 1 || config.commands.maxRunning > 256)
    throw std::invalid_argument("commands.max_running must be between 1 and 256");
  if (config.commands.killGraceMs > 60'000)
    throw std::invalid_argument("commands.kill_grace_ms must be between 0 and 60000");
  if (config.listen.rfind(':') == std::string::npos) throw std::invalid_argument("listen must be HOST:PORT");
  return config;
}

std::map<std::string, std::string> processEnvironment() {
  std::map<std::string, std::string> out;
  for (char** e = environ; e && *e; ++e) {
    std::string_view entry(*e);
    if (!entry.starts_with("FORGEHOOK_")) continue;
    const auto eq = entry.find('=');
    if (eq == std::string_view::npos) continue;
    out.emplace(std::string(entry.substr(0, eq)), std::string(entry.substr(eq + 1)));
  }
  return out;
}

std::string describeConfig(const Config& config) {
  std::string out;
  for (const auto& key : keys()) {
    std::string value = key.show(config);
    if (key.secret && !value.empty()) value = "***";
    out += key.name + " = " + value + "   # " + envName(key.name) + "\n";
  }
  out += describeRules(config.rules);
  return out;
}

}  // namespace forgehook::core
