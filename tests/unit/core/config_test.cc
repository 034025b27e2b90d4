#include "core/config.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "support/temp_dir.h"

namespace forgehook::core {
namespace {

namespace fs = std::filesystem;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

using forgehook::testing::TempDir;

class ConfigTest : public ::testing::Test {
 protected:
  std::string writeToml(const std::string& text) {
    const fs::path file = dir_.path() / "forgehook.toml";
    std::ofstream(file) << text;
    return file.string();
  }

  // Runs loadConfig expecting std::invalid_argument; returns its message.
  static std::string loadError(const ConfigSources& sources) {
    try {
      (void)loadConfig(sources);
    } catch (const std::invalid_argument& e) {
      return e.what();
    }
    ADD_FAILURE() << "loadConfig did not throw std::invalid_argument";
    return {};
  }

  TempDir dir_;
};

TEST_F(ConfigTest, DefaultsWithoutAnySource) {
  const Config c = loadConfig({});
  EXPECT_EQ(c.listen, "127.0.0.1:8765");
  EXPECT_EQ(c.dataDir, "./var");
  EXPECT_EQ(c.server.threads, 0);
  EXPECT_EQ(c.server.maxBodyBytes, 25 * 1024 * 1024);
  EXPECT_EQ(c.store.synchronous, "full");
  EXPECT_EQ(c.store.compressionLevel, 1);
  EXPECT_EQ(c.store.maxBytes, 0);
  EXPECT_EQ(c.intake.maxPending, 2048);
  EXPECT_EQ(c.intake.maxBatch, 256);
  EXPECT_THAT(c.github.secrets, IsEmpty());
  EXPECT_FALSE(c.github.allowUnsigned);
  EXPECT_EQ(c.gitlab.timestampToleranceS, 300);
  EXPECT_EQ(c.logLevel, "info");
}

TEST_F(ConfigTest, TomlFileOverridesDefaults) {
  ConfigSources sources;
  sources.tomlPath = writeToml(R"(
listen = "0.0.0.0:9000"
data_dir = "/srv/forgehook"

[server]
threads = 3
max_body_bytes = 1048576

[store]
synchronous = "normal"
compression_level = 5

[limits]
rate_per_second = 200
rate_burst = 2.5

[github]
legacy_sha1 = true
)");
  const Config c = loadConfig(sources);
  EXPECT_EQ(c.listen, "0.0.0.0:9000");
  EXPECT_EQ(c.dataDir, "/srv/forgehook");
  EXPECT_EQ(c.server.threads, 3);
  EXPECT_EQ(c.server.maxBodyBytes, 1048576);
  EXPECT_EQ(c.store.synchronous, "normal");
  EXPECT_EQ(c.store.compressionLevel, 5);
  EXPECT_DOUBLE_EQ(c.limits.ratePerSecond, 200);
  EXPECT_DOUBLE_EQ(c.limits.rateBurst, 2.5);
  EXPECT_TRUE(c.github.legacySha1);
  EXPECT_EQ(c.intake.maxBatch, 256);  // untouched keys keep their defaults
}

TEST_F(ConfigTest, EnvironmentOverridesToml) {
  ConfigSources sources;
  sources.tomlPath = writeToml(R"(
listen = "0.0.0.0:9000"
[server]
threads = 3
max_connections = 10
)");
  sources.environment = {
      {"FORGEHOOK_LISTEN", "127.0.0.1:9100"}, {"FORGEHOOK_SERVER_THREADS", "7"}, {"FORGEHOOK_LOG_LEVEL", "debug"}};
  const Config c = loadConfig(sources);
  EXPECT_EQ(c.listen, "127.0.0.1:9100");
  EXPECT_EQ(c.server.threads, 7);
  EXPECT_EQ(c.server.maxConnections, 10);  // only in TOML: TOML value stays
  EXPECT_EQ(c.logLevel, "debug");          // only in the environment
}

TEST_F(ConfigTest, FlagsOverrideEnvironmentAndToml) {
  ConfigSources sources;
  sources.tomlPath = writeToml("listen = \"0.0.0.0:9000\"\ndata_dir = \"/from/toml\"\n");
  sources.environment = {{"FORGEHOOK_LISTEN", "127.0.0.1:9100"}, {"FORGEHOOK_DATA_DIR", "/from/env"}};
  sources.flags = {{"listen", "127.0.0.1:9200"}};
  const Config c = loadConfig(sources);
  EXPECT_EQ(c.listen, "127.0.0.1:9200");
  EXPECT_EQ(c.dataDir, "/from/env");  // no flag: the environment still beats TOML
}

TEST_F(ConfigTest, EnvironmentListIsCommaSeparatedAndTrimmed) {
  ConfigSources sources;
  sources.environment = {{"FORGEHOOK_GITHUB_SECRET", "a, b"},
                         {"FORGEHOOK_GITLAB_TOKEN", "  first ,second\t,, third  "},
                         {"FORGEHOOK_GITEA_SECRET", "only"}};
  const Config c = loadConfig(sources);
  EXPECT_THAT(c.github.secrets, ElementsAre("a", "b"));
  EXPECT_THAT(c.gitlab.secrets, ElementsAre("first", "second", "third"));
  EXPECT_THAT(c.gitea.secrets, ElementsAre("only"));
}

TEST_F(ConfigTest, TomlArraysBecomeLists) {
  ConfigSources sources;
  sources.tomlPath = writeToml(R"(
[github]
secret = ["new-secret", "old-secret"]
[gitlab]
signing_key = ["whsec_AAAA"]
)");
  const Config c = loadConfig(sources);
  EXPECT_THAT(c.github.secrets, ElementsAre("new-secret", "old-secret"));
  EXPECT_THAT(c.gitlab.signingKeys, ElementsAre("whsec_AAAA"));
}

// A TOML array already delimits its entries; a comma or space inside one is part of the secret.
TEST_F(ConfigTest, TomlArrayEntryKeepsCommasAndSpaces) {
  ConfigSources sources;
  sources.tomlPath = writeToml("[github]\nsecret = [\"s3cr,et\", \" padded \"]\n");
  const Config c = loadConfig(sources);
  EXPECT_THAT(c.github.secrets, ElementsAre("s3cr,et", " padded "));
}

TEST_F(ConfigTest, TomlTextIsReadLikeAFile) {
  ConfigSources sources;
  sources.tomlText = "listen = \"0.0.0.0:9000\"\n[github]\nsecret = [\"a\", \"b\"]\n";
  const Config c = loadConfig(sources);
  EXPECT_EQ(c.listen, "0.0.0.0:9000");
  EXPECT_THAT(c.github.secrets, ElementsAre("a", "b"));
  sources.tomlText = "[server]\nmax_bodybytes = 10\n";
  EXPECT_THAT(loadError(sources), HasSubstr("server.max_bodybytes"));
  sources.tomlText = "listen = ";
  EXPECT_THAT(loadError(sources), HasSubstr("cannot read config"));
}

TEST_F(ConfigTest, UnknownTomlKeyThrowsNamingTheKey) {
  ConfigSources sources;
  sources.tomlPath = writeToml("[server]\nthreads = 2\nmax_bodybytes = 10\n");
  EXPECT_THAT(loadError(sources), HasSubstr("server.max_bodybytes"));
}

TEST_F(ConfigTest, StreamSettingsHaveDefaultsAndComeFromTomlAndEnvironment) {
  const Config defaults = loadConfig({});
  EXPECT_EQ(defaults.server.maxStreams, 1000);
  EXPECT_EQ(defaults.server.streamHeartbeatMs, 15'000);
  EXPECT_EQ(defaults.server.streamIdleTimeoutMs, 45'000);
  EXPECT_EQ(defaults.server.streamQueueBytes, 262'144);

  ConfigSources sources;
  sources.tomlPath = writeToml("[server]\nmax_streams = 3\nstream_heartbeat_ms = 500\n");
  sources.environment = {{"FORGEHOOK_SERVER_STREAM_IDLE_TIMEOUT_MS", "2000"},
                         {"FORGEHOOK_SERVER_STREAM_QUEUE_BYTES", "65536"}};
  const Config c = loadConfig(sources);
  EXPECT_EQ(c.server.maxStreams, 3);
  EXPECT_EQ(c.server.streamHeartbeatMs, 500);
  EXPECT_EQ(c.server.streamIdleTimeoutMs, 2000);
  EXPECT_EQ(c.server.streamQueueBytes, 65'536);
  EXPECT_THAT(describeConfig(c), HasSubstr("server.max_streams = 3   # FORGEHOOK_SERVER_MAX_STREAMS"));
}

TEST_F(ConfigTest, StreamSettingsOutOfRangeThrowNamingTheKey) {
  for (const auto& [key, value] : std::vector<std::pair<std::string, std::string>>{
           {"server.max_streams", "-1"},
           {"server.max_streams", "1000001"},
           {"server.stream_heartbeat_ms", "99"},
           {"server.stream_heartbeat_ms", "3600001"},
           {"server.stream_idle_timeout_ms", "15000"},  // not above the heartbeat
           {"server.stream_idle_timeout_ms", "3600001"},
           {"server.stream_queue_bytes", "16383"},
           {"server.stream_queue_bytes", "1073741825"},
       }) {
    ConfigSources sources;
    sources.flags = {{key, value}};
    EXPECT_THAT(loadError(sources), HasSubstr(key)) << key << " = " << value;
  }
  ConfigSources zero;
  zero.flags = {{"server.max_streams", "0"}};  // streams off
  EXPECT_EQ(loadConfig(zero).server.maxStreams, 0);
}

TEST_F(ConfigTest, DashboardSessionSettingsHaveDefaultsComeFromTomlAndAreBounded) {
  const Config defaults = loadConfig({});
  EXPECT_EQ(defaults.dashboard.sessionTtlHours, 12);
  EXPECT_FALSE(defaults.dashboard.secureCookie);

  ConfigSources sources;
  sources.tomlPath = writeToml("[dashboard]\nsession_ttl_hours = 2\nsecure_cookie = true\n");
  const Config c = loadConfig(sources);
  EXPECT_EQ(c.dashboard.sessionTtlHours, 2);
  EXPECT_TRUE(c.dashboard.secureCookie);
  EXPECT_THAT(describeConfig(c), HasSubstr("dashboard.session_ttl_hours = 2   # FORGEHOOK_DASHBOARD_SESSION_TTL_HOURS"));
  for (const std::string value : {"0", "721"}) {
    ConfigSources bad;
    bad.flags = {{"dashboard.session_ttl_hours", value}};
    EXPECT_THAT(loadError(bad), HasSubstr("dashboard.session_ttl_hours")) << value;
  }
}

TEST_F(ConfigTest, SubscriptionSettingsHaveDefaultsAndComeFromTomlAndEnvironment) {
  const Config defaults = loadConfig({});
  EXPECT_EQ(defaults.subscriptions.retryInitialMs, 1000);
  EXPECT_EQ(defaults.subscriptions.retryMaxMs, 600'000);
  EXPECT_EQ(defaults.subscriptions.retryPeriodS, 86'400);
  EXPECT_EQ(defaults.subscriptions.disableAfterFailedMessages, 3);
  EXPECT_EQ(defaults.subscriptions.senders, 4);
  EXPECT_FALSE(defaults.subscriptions.allowPrivateNetworks);

  ConfigSources sources;
  sources.tomlPath = writeToml("[subscriptions]\nallow_private_networks = true\nretry_period_s = 60\n");
  sources.environment = {{"FORGEHOOK_SUBSCRIPTIONS_SENDERS", "2"},
                         {"FORGEHOOK_SUBSCRIPTIONS_DISABLE_AFTER_FAILED_MESSAGES", "0"}};
  const Config c = loadConfig(sources);
  EXPECT_TRUE(c.subscriptions.allowPrivateNetworks);
  EXPECT_EQ(c.subscriptions.retryPeriodS, 60);
  EXPECT_EQ(c.subscriptions.senders, 2);
  EXPECT_EQ(c.subscriptions.disableAfterFailedMessages, 0);
  EXPECT_THAT(describeConfig(c), HasSubstr("subscriptions.allow_private_networks = true"));
}

TEST_F(ConfigTest, SubscriptionSettingsOutOfRangeThrowNamingTheKey) {
  for (const auto& [key, value] : std::vector<std::pair<std::string, std::string>>{
           {"subscriptions.retry_initial_ms", "99"},
           {"subscriptions.retry_max_ms", "500"},  // below retry_initial_ms
           {"subscriptions.retry_period_s", "0"},
           {"subscriptions.disable_after_failed_messages", "-1"},
           {"subscriptions.senders", "0"},
           {"subscriptions.senders", "65"},
           {"subscriptions.connect_timeout_ms", "50"},
           {"subscriptions.timeout_ms", "300001"},
       }) {
    ConfigSources sources;
    sources.flags = {{key, value}};
    EXPECT_THAT(loadError(sources), HasSubstr(key)) << key << " = " << value;
  }
}

TEST_F(ConfigTest, UnknownTopLevelTomlKeyThrowsNamingTheKey) {
  ConfigSources sources;
  sources.tomlPath = writeToml("lisen = \"0.0.0.0:1\"\n");
  EXPECT_THAT(loadError(sources), HasSubstr("lisen"));
}

TEST_F(ConfigTest, UnknownFlagThrowsNamingTheKey) {
  ConfigSources sources;
  sources.flags = {{"no_such_flag", "1"}};
  EXPECT_THAT(loadError(sources), HasSubstr("no_such_flag"));
}

TEST_F(ConfigTest, MissingTomlFileThrows) {
  ConfigSources sources;
  sources.tomlPath = (dir_.path() / "absent.toml").string();
  EXPECT_THAT(loadError(sources), HasSubstr("absent.toml"));
}

TEST_F(ConfigTest, BadIntegerValuesThrowNamingTheKey) {
  for (const std::string bad : {"abc", "12abc", "-1", "", "1.5"}) {
    SCOPED_TRACE("value \"" + bad + "\"");
    ConfigSources sources;
    sources.environment = {{"FORGEHOOK_SERVER_MAX_BODY_BYTES", bad}};
    EXPECT_THAT(loadError(sources), HasSubstr("server.max_body_bytes"));
  }
}

TEST_F(ConfigTest, BadIntegerInTomlThrowsNamingTheKey) {
  ConfigSources sources;
  sources.tomlPath = writeToml("[intake]\nmax_pending = \"lots\"\n");
  EXPECT_THAT(loadError(sources), HasSubstr("intake.max_pending"));
}

TEST_F(ConfigTest, BadBooleanValuesThrowNamingTheKey) {
  for (const std::string bad : {"maybe", "TRUE1", "2"}) {
    SCOPED_TRACE("value \"" + bad + "\"");
    ConfigSources sources;
    sources.environment = {{"FORGEHOOK_GITHUB_ALLOW_UNSIGNED", bad}};
    EXPECT_THAT(loadError(sources), HasSubstr("github.allow_unsigned"));
  }
}

TEST_F(ConfigTest, BooleanSpellingsAreAccepted) {
  for (const std::string yes : {"true", "1", "yes", "on"}) {
    ConfigSources sources;
    sources.environment = {{"FORGEHOOK_GITEA_ALLOW_UNSIGNED", yes}};
    EXPECT_TRUE(loadConfig(sources).gitea.allowUnsigned) << yes;
  }
  for (const std::string no : {"false", "0", "no", "off"}) {
    ConfigSources sources;
    sources.flags = {{"gitea.allow_unsigned", no}};
    sources.environment = {{"FORGEHOOK_GITEA_ALLOW_UNSIGNED", "true"}};
    EXPECT_FALSE(loadConfig(sources).gitea.allowUnsigned) << no;
  }
}

TEST_F(ConfigTest, SignatureFailureThrottleDefaultsAndLimits) {
  ConfigSources defaults;
  const Config c = loadConfig(defaults);
  EXPECT_EQ(c.limits.signatureFailuresBurst, 10);
  EXPECT_DOUBLE_EQ(c.limits.signatureFailuresPerMinute, 6);

  ConfigSources set;
  set.environment = {{"FORGEHOOK_LIMITS_SIGNATURE_FAILURES_BURST", "3"},
                     {"FORGEHOOK_LIMITS_SIGNATURE_FAILURES_PER_MINUTE", "0.5"}};
  EXPECT_EQ(loadConfig(set).limits.signatureFailuresBurst, 3);
  EXPECT_DOUBLE_EQ(loadConfig(set).limits.signatureFailuresPerMinute, 0.5);

  ConfigSources off;
  off.environment = {{"FORGEHOOK_LIMITS_SIGNATURE_FAILURES_BURST", "0"},
                     {"FORGEHOOK_LIMITS_SIGNATURE_FAILURES_PER_MINUTE", "0"}};
  EXPECT_EQ(loadConfig(off).limits.signatureFailuresBurst, 0);

  ConfigSources noRefill;
  noRefill.environment = {{"FORGEHOOK_LIMITS_SIGNATURE_FAILURES_PER_MINUTE", "0"}};
  EXPECT_THAT(loadError(noRefill), HasSubstr("limits.signature_failures_per_minute"));
  ConfigSources negative;
  negative.environment = {{"FORGEHOOK_LIMITS_SIGNATURE_FAILURES_BURST", "-1"}};
  EXPECT_THAT(loadError(negative), HasSubstr("limits.signature_failures_burst"));
}

TEST_F(ConfigTest, BadNumberThrowsNamingTheKey) {
  ConfigSources sources;
  sources.environment = {{"FORGEHOOK_LIMITS_RATE_PER_SECOND", "fast"}};
  EXPECT_THAT(loadError(sources), HasSubstr("limits.rate_per_second"));
}

TEST_F(ConfigTest, StoreSynchronousAcceptsFullAndNormalOnly) {
  for (const std::string ok : {"full", "normal"}) {
    ConfigSources sources;
    sources.environment = {{"FORGEHOOK_STORE_SYNCHRONOUS", ok}};
    EXPECT_EQ(loadConfig(sources).store.synchronous, ok);
  }
  for (const std::string bad : {"off", "FULL", "extra", ""}) {
    SCOPED_TRACE("value \"" + bad + "\"");
    ConfigSources sources;
    sources.environment = {{"FORGEHOOK_STORE_SYNCHRONOUS", bad}};
    EXPECT_THAT(loadError(sources), HasSubstr("store.synchronous"));
  }
}

TEST_F(ConfigTest, StoreBackendIsSqliteByDefaultAndPostgresNeedsAUrl) {
  EXPECT_EQ(loadConfig({}).store.backend, "sqlite");
  ConfigSources sources;
  sources.environment = {{"FORGEHOOK_STORE_BACKEND", "postgres"}};
  EXPECT_THAT(loadError(sources), HasSubstr("needs store.postgres.url"));
  sources.environment["FORGEHOOK_STORE_POSTGRES_URL"] = "postgresql://fh@db.internal/forgehook";
  const auto c = loadConfig(sources);
  EXPECT_EQ(c.store.backend, "postgres");
  EXPECT_EQ(c.store.postgres.url, "postgresql://fh@db.internal/forgehook");
  for (const std::string bad : {"mysql", "Postgres", ""}) {
    SCOPED_TRACE("value \"" + bad + "\"");
    ConfigSources other;
    other.environment = {{"FORGEHOOK_STORE_BACKEND", bad}};
    EXPECT_THAT(loadError(other), HasSubstr("store.backend must be \"sqlite\" or \"postgres\""));
  }
}

TEST_F(ConfigTest, DescribeConfigMasksThePostgresUrlAndPassword) {
  ConfigSources sources;
  sources.environment = {{"FORGEHOOK_STORE_BACKEND", "postgres"},
                         {"FORGEHOOK_STORE_POSTGRES_URL", "postgresql://fh:url-password-1@db/forgehook"},
                         {"FORGEHOOK_STORE_POSTGRES_PASSWORD", "env-password-2"},
                         {"FORGEHOOK_STORE_POSTGRES_PASSWORD_FILE", "/run/secrets/pg"}};
  const std::string text = describeConfig(loadConfig(sources));
  EXPECT_THAT(text, Not(HasSubstr("url-password-1")));
  EXPECT_THAT(text, Not(HasSubstr("env-password-2")));
  EXPECT_THAT(text, HasSubstr("store.postgres.url = ***"));
  EXPECT_THAT(text, HasSubstr("store.postgres.password = ***"));
  EXPECT_THAT(text, HasSubstr("store.postgres.password_file = /run/secrets/pg"));
}

TEST_F(ConfigTest, OutOfRangeValuesThrow) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"store.compression_level", "20"},
      {"intake.max_batch", "0"},
      {"intake.max_pending", "0"},
      {"listen", "localhost"},
      {"pipeline.batch_size", "0"},
      {"pipeline.poll_interval_ms", "5"},
      {"pipeline.share_while_ingesting", "0"},
      {"pipeline.share_while_ingesting", "1.5"},
      {"pipeline.nice", "-1"},
      {"pipeline.nice", "20"},
  };
  for (const auto& [key, value] : cases) {
    SCOPED_TRACE(key + " = " + value);
    ConfigSources sources;
    sources.flags = {{key, value}};
    EXPECT_THAT(loadError(sources), HasSubstr(key));
  }
}

TEST_F(ConfigTest, PipelineShareWhileIngestingIsAFractionOfOneCore) {
  EXPECT_DOUBLE_EQ(loadConfig({}).pipeline.shareWhileIngesting, 0.25);
  ConfigSources sources;
  sources.environment = {{"FORGEHOOK_PIPELINE_SHARE_WHILE_INGESTING", "1"}};
  EXPECT_DOUBLE_EQ(loadConfig(sources).pipeline.shareWhileIngesting, 1.0);
}

TEST_F(ConfigTest, PipelineNiceIsTenByDefaultAndSetByEnvironment) {
  EXPECT_EQ(loadConfig({}).pipeline.nice, 10);
  ConfigSources sources;
  sources.environment = {{"FORGEHOOK_PIPELINE_NICE", "0"}};
  EXPECT_EQ(loadConfig(sources).pipeline.nice, 0);
}

TEST_F(ConfigTest, DescribeConfigMasksSecrets) {
  ConfigSources sources;
  sources.environment = {{"FORGEHOOK_GITHUB_SECRET", "gh-secret-one,gh-secret-two"},
                         {"FORGEHOOK_GITLAB_TOKEN", "gl-token-value"},
                         {"FORGEHOOK_GITLAB_SIGNING_KEY", "whsec_c2lnbmluZ2tleQ=="},
                         {"FORGEHOOK_GITEA_SECRET", "gitea-secret-value"},
                         {"FORGEHOOK_ADMIN_TOKEN", "admin-token-value"},
                         {"FORGEHOOK_LISTEN", "0.0.0.0:4242"}};
  const std::string text = describeConfig(loadConfig(sources));

  for (const std::string secret : {"gh-secret-one", "gh-secret-two", "gl-token-value", "c2lnbmluZ2tleQ",
                                   "gitea-secret-value", "admin-token-value"}) {
    EXPECT_THAT(text, Not(HasSubstr(secret)));
  }
  for (const std::string key : {"github.secret", "gitlab.token", "gitlab.signing_key", "gitea.secret", "admin.token"})
    EXPECT_THAT(text, HasSubstr(key + " = ***")) << key;
  // Non-secret values are shown as they are.
  EXPECT_THAT(text, HasSubstr("listen = 0.0.0.0:4242"));
  EXPECT_THAT(text, HasSubstr("FORGEHOOK_LISTEN"));
}

}  // namespace
}  // namespace forgehook::core
