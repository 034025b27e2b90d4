#pragma once
// forgehook's configuration: defaults < TOML file < FORGEHOOK_* environment < command-line flags.
// docs/CONFIG.md documents every key; `forgehook config` prints the effective values (secrets masked).
// Immutable after start-up and shared read-only between threads.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/rule_config.h"

namespace forgehook::core {

struct ForgeSecrets {
  std::vector<std::string> secrets;  // accepted; the first is current
  bool allowUnsigned = false;
};

struct Config {
  std::string listen = "127.0.0.1:8765";
  std::string dataDir = "./var";

  struct Server {
    int threads = 0;                               // 0 = one per core, less one for the writer
    std::int64_t maxBodyBytes = 25 * 1024 * 1024;  // GitHub's own payload cap
    std::int64_t maxHeaderBytes = 64 * 1024;
    std::int64_t headerTimeoutMs = 10'000;
    std::int64_t bodyTimeoutMs = 30'000;
    std::int64_t idleTimeoutMs = 60'000;
    std::int64_t maxConnections = 4096;
    // Connections one client address may hold open at once; past it new ones are closed at accept
    // (0 = no cap). Keeps one client from taking all of maxConnections; a proxy in front of
    // forgehook is one address, so raise it (or set 0) behind one.
    std::int64_t maxConnectionsPerIp = 256;
    // Live streams (GET /api/v1/events, /api/v1/stream). Each open stream holds a connection and up
    // to streamQueueBytes of memory; past maxStreams a stream request gets 503 (0: streams off).
    std::int64_t maxStreams = 1000;
    // Threads that write the streams, apart from the I/O threads that answer requests, so a burst
    // fanned out to many clients never delays a webhook's answer. 0: streams share the I/O threads.
    int streamThreads = 1;
    std::int64_t streamHeartbeatMs = 15'000;     // SSE ping comment / WebSocket ping this often
    std::int64_t streamIdleTimeoutMs = 45'000;   // no pong (WebSocket) or a write this slow: closed
    std::int64_t streamQueueBytes = 256 * 1024;  // per stream; a client this far behind is dropped
  } server;

  struct Store {
    std::string synchronous = "full";  // "full" survives power loss, "normal" only a process crash
    int compressionLevel = 1;          // zstd, -7..19; 0 = store bodies as received
    std::int64_t maxBytes = 0;         // 0 = unlimited
    // Bodies (payloads) of settled deliveries older than this many days are pruned; the delivery's
    // summary and headers, the projections and the activity stay. 0 = keep every body forever.
    std::int64_t retentionDays = 0;
    // PRAGMA quick_check of the whole database before serving: finds damaged pages at start rather
    // than at the request that reads them, at the cost of reading the file once (~12 s for 370 MB
    // from a cold disk, under 1 s warm). Off: damage is looked for only when opening fails.
    bool quickCheckAtStart = false;
    // Which database holds the store: "sqlite" (the embedded default, in data_dir) or "postgres".
    std::string backend = "sqlite";
    struct Postgres {
      std::string url;           // libpq connection string or URI (host, port, dbname, user, sslmode ...)
      std::string password;      // secret; overrides one in the URL
      std::string passwordFile;  // the password's first line, when `password` is empty
      // This node's name among the nodes sharing the database ("" = host name and data_dir).
      std::string node;
      // How long a node's claim on a repository's deliveries lasts unless renewed: after a node dies,
      // its unfinished work waits this long before another node takes it over.
      std::int64_t claimLeaseSeconds = 30;
      std::int64_t poolSize = 8;  // connections this node opens at most (the live feed's listener apart)
    } postgres;
  } store;

  struct Intake {
    std::int64_t maxPending = 2048;  // deliveries waiting for commit before 503
    std::int64_t maxBatch = 256;     // deliveries per group commit
  } intake;

  struct Pipeline {
    bool enabled = true;                // process deliveries into the activity model
    std::int64_t batchSize = 128;       // deliveries per processing transaction
    std::int64_t maxAttempts = 5;       // then the dead letter
    std::int64_t retryBaseMs = 1000;    // first retry delay; doubles per attempt, with jitter
    std::int64_t retryMaxMs = 300000;   // cap on one retry delay
    std::int64_t pollIntervalMs = 500;  // how often due retries are looked for when idle
    double shareWhileIngesting = 0.25;  // of one core, while deliveries arrive (intake first)
    std::int64_t nice = 10;             // the pipeline thread's niceness above forgehook's (intake first)
  } pipeline;

  struct Changes {
    std::int64_t retentionDays = 7;             // change-feed records older than this are pruned
    std::int64_t retentionRecords = 1'000'000;  // and beyond this many (the newest always stay)
  } changes;

  struct Dashboard {
    // A dashboard sign-in lasts this long (hours, 1-720); shorter limits a stolen cookie's use,
    // longer means signing in less often.
    std::int64_t sessionTtlHours = 12;
    // Mark the session cookie Secure even when the request did not say it came over TLS
    // (X-Forwarded-Proto: https from a TLS-terminating proxy sets it anyway).
    bool secureCookie = false;
  } dashboard;
  // Outbound subscriptions (signed callbacks of the change feed). A message is retried with
  // exponential backoff and jitter (retryInitialMs doubling up to retryMaxMs) until retryPeriodS
  // after its first attempt, then failed; disableAfterFailedMessages consecutive failed messages
  // disable the subscription until it is resumed (0: never).
  struct Subscriptions {
    std::int64_t retryInitialMs = 1000;
    std::int64_t retryMaxMs = 600'000;   // 10 min
    std::int64_t retryPeriodS = 86'400;  // 24 h
    std::int64_t disableAfterFailedMessages = 3;
    std::int64_t senders = 4;  // attempts in flight at once, each for another subscription
    std::int64_t connectTimeoutMs = 5000;
    std::int64_t timeoutMs = 15'000;    // one attempt, answer included
    bool allowPrivateNetworks = false;  // let callbacks reach loopback, private, link-local... addresses
  } subscriptions;

  // Forge connections: hooks forgehook manages through the forge APIs, their reconciliation with
  // the forge's delivery log, and the polling fallback.
  struct Forges {
    std::string publicUrl;                      // forgehook's address as the forges reach it; hooks point there
    std::int64_t reconcileIntervalS = 300;      // reconcile every hook this often (0: only on demand)
    std::int64_t reconcileWindowS = 3 * 86400;  // how far back the forge keeps deliveries (GHES: 7 days)
    std::int64_t secretGraceS = 3600;           // an old hook secret is accepted this long after a rotation
    std::int64_t apiTimeoutMs = 15'000;         // one forge API request
    std::int64_t maxRateWaitS = 60;             // longest wait for a rate-limit reset before a call fails
    std::int64_t pollMinIntervalS = 1;          // never poll faster, whatever X-Poll-Interval says
  } forges;

  struct Limits {
    double ratePerSecond = 0;  // per source address; 0 = off
    double rateBurst = 0;      // 0 = same as the rate
    // Failed signature checks one source address may make at once before further failures get 429
    // instead of 401; 0 = off. Higher forgives more guessing; lower risks 429s for a misconfigured
    // but honest sender. Requests that verify are never counted or throttled.
    std::int64_t signatureFailuresBurst = 10;
    double signatureFailuresPerMinute = 6;  // how fast that allowance refills (failures per minute, > 0)
  } limits;

  struct GitHub : ForgeSecrets {
    bool legacySha1 = false;
  } github;
  struct GitLab : ForgeSecrets {
    std::vector<std::string> signingKeys;  // Standard Webhooks "whsec_..." keys
    std::int64_t timestampToleranceS = 300;
  } gitlab;
  ForgeSecrets gitea;

  // Commands run for matching deliveries (`[[rules]]`, core/rule_config.h).
  struct Commands {
    std::int64_t maxRunning = 8;      // commands running at once over all rules, 1..256
    std::int64_t killGraceMs = 2000;  // SIGTERM to a timed-out command's group, SIGKILL this much later, 0..60000
  } commands;
  std::vector<RuleConfig> rules;  // in the file's order, which is the order they run in

  std::string adminToken;
  std::string logLevel = "info";
};

// Where configuration comes from, separated so tests can pass their own environment.
struct ConfigSources {
  std::optional<std::string> tomlPath;
  std::optional<std::string> tomlText;  // a TOML document itself, read instead of tomlPath (tests, fuzzing)
  std::map<std::string, std::string> environment;  // only FORGEHOOK_* entries matter
  std::map<std::string, std::string> flags;        // key -> value, e.g. {"listen", "0.0.0.0:80"}
};

// Builds the configuration. Throws std::invalid_argument naming the key for a bad value, an unknown
// TOML key, or an unreadable file; a rule's key is named by its index, e.g. "rules[2].timeout_s".
// Regular expressions and templates of rules are checked later, by rules::RuleSet::compile.
[[nodiscard]] Config loadConfig(const ConfigSources& sources);

// The FORGEHOOK_* variables of this process's environment.
[[nodiscard]] std::map<std::string, std::string> processEnvironment();

// The effective configuration as TOML-like text, secret values replaced by "***".
[[nodiscard]] std::string describeConfig(const Config& config);

}  // namespace forgehook::core
