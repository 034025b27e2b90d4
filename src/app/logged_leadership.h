#pragma once
// Leadership (store/leadership.h) that logs when this node starts or stops running a job, so an
// operator of several nodes sees where reconciliation, retention and the dispatcher run, and when
// they moved.
#include <map>
#include <mutex>
#include <string>

#include "core/log.h"
#include "store/leadership.h"

namespace forgehook::app {

class LoggedLeadership final : public store::Leadership {
 public:
  LoggedLeadership(store::Leadership& inner, const core::Logger& logger, std::string node)
      : inner_(inner), logger_(logger), node_(std::move(node)) {}

  bool leads(std::string_view job) override {
    const bool now = inner_.leads(job);
    std::lock_guard lock(mutex_);
    auto [it, first] = known_.try_emplace(std::string(job), now);
    if ((first && now) || (!first && it->second != now)) {
      it->second = now;
      logger_.info(now ? "this node runs a periodic job" : "this node no longer runs a periodic job",
                   {{"job", std::string(job)}, {"node", node_}});
    }
    return now;
  }

 private:
  store::Leadership& inner_;
  const core::Logger& logger_;
  const std::string node_;
  std::mutex mutex_;
  std::map<std::string, bool, std::less<>> known_;
};

}  // namespace forgehook::app
