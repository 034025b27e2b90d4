#pragma once
// The polling fallback: for a GitHub repository whose hook cannot be made or keeps failing, or that
// the user chose to poll, reads the Events API (conditional on the ETag, so an unchanged feed
// costs no rate limit), at the interval GitHub asks for (X-Poll-Interval), and hands each new
// event to intake as a delivery of source "poll". The newest event seen is only remembered once
// every event before it is committed, so a crash polls them again (stored once, by event id).
// Thread-safe: polls of one connection are serialized.
#include <cstdint>
#include <functional>

#include "core/error.h"
#include "core/log.h"
#include "core/time.h"
#include "forge/client_source.h"
#include "forge/keyed_locks.h"
#include "store/connection_store.h"

namespace forgehook::forge {

struct PollOutcome {
  bool notModified = false;
  std::int64_t events = 0;     // in the answer
  std::int64_t submitted = 0;  // new ones handed to intake
  std::int64_t nextPollAt = 0;  // Unix seconds
};

struct PollerOptions {
  int compressionLevel = 1;
  std::int64_t minIntervalSeconds = 1;  // never faster than this, whatever the forge says
};

class Poller {
 public:
  // `append` commits one delivery and returns once it is durable (or failed).
  using Append = std::function<core::Result<void>(store::NewDelivery)>;

  Poller(store::ConnectionStore& connections, ClientSource& clients, Append append, const core::Clock& clock,
         const core::Logger& logger, PollerOptions options = {});

  // Whether the connection is polled now: mode poll, or a GitHub repository hook that is not
  // working (no hook, failed, disabled, or failing).
  [[nodiscard]] static bool pollable(const store::Connection& connection);

  // One poll. Errors: NotFound; Conflict "not_pollable"; the forge's error (also kept as the
  // connection's error for a polled connection).
  [[nodiscard]] core::Result<PollOutcome> poll(std::int64_t connectionId);

 private:

  store::ConnectionStore& connections_;
  ClientSource& clients_;
  Append append_;
  const core::Clock& clock_;
  const core::Logger& logger_;
  PollerOptions options_;
  KeyedLocks locks_;
};

}  // namespace forgehook::forge
