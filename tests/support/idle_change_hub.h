#pragma once
// A ChangeHub over a feed with no records, never started: for tests of what subscribes to a hub
// (MCP sessions) without changes flowing.
#include "core/log.h"
#include "live/change_hub.h"
#include "store/change_feed.h"

namespace forgehook::testing {

class EmptyChangeFeed final : public store::ChangeFeed {
 public:
  core::Result<store::ChangePage> read(const store::ChangeQuery&) override { return store::ChangePage{}; }
  core::Result<std::int64_t> newestSeq() override { return 0; }
  core::Result<std::int64_t> prune(const store::ChangeRetention&, std::int64_t) override { return 0; }
  void setCommitListener(std::function<void()>) override {}
};

struct IdleChangeHub {
  EmptyChangeFeed feed;
  core::Logger logger{core::LogLevel::Error};
  live::ChangeHub hub{feed, logger, {}};
};

}  // namespace forgehook::testing
