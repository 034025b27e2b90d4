#include "mcp/session_registry.h"

#include <vector>

#include "core/random.h"
#include "core/thread_name.h"

namespace forgehook::mcp {

SessionRegistry::SessionRegistry(live::ChangeHub& hub, TokenValid tokenValid, Options options)
    : hub_(hub), tokenValid_(std::move(tokenValid)), options_(options), thread_([this] { run(); }) {}

SessionRegistry::~SessionRegistry() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
  std::map<std::string, std::shared_ptr<McpSession>> sessions;
  {
    std::lock_guard lock(mutex_);
    sessions.swap(sessions_);
  }
  for (auto& [id, session] : sessions) session->end("server shutting down");
}

core::Result<std::shared_ptr<McpSession>> SessionRegistry::create(McpSession::Identity identity) {
  const auto now = std::chrono::steady_clock::now();
  std::lock_guard lock(mutex_);
  if (sessions_.size() >= options_.maxSessions) {
    std::erase_if(sessions_, [&](const auto& entry) {
      if (now - entry.second->lastUsed() < options_.idleTimeout) return false;
      entry.second->end("session expired");
      return true;
    });
  }
  if (sessions_.size() >= options_.maxSessions)
    return std::unexpected(core::Error::unavailable("mcp_sessions_full", "too many MCP sessions; end one first", 5));
  identity.id = core::randomHex(16);
  auto session = std::make_shared<McpSession>(std::move(identity), hub_, now);
  sessions_.emplace(session->identity().id, session);
  wake_.notify_all();
  return session;
}

std::shared_ptr<McpSession> SessionRegistry::find(const std::string& id) {
  std::lock_guard lock(mutex_);
  auto it = sessions_.find(id);
  return it == sessions_.end() ? nullptr : it->second;
}

bool SessionRegistry::end(const std::string& id) {
  std::shared_ptr<McpSession> session;
  {
    std::lock_guard lock(mutex_);
    auto it = sessions_.find(id);
    if (it == sessions_.end()) return false;
    session = std::move(it->second);
    sessions_.erase(it);
  }
  session->end("session ended");
  return true;
}

std::size_t SessionRegistry::size() const {
  std::lock_guard lock(mutex_);
  return sessions_.size();
}

void SessionRegistry::expire(SteadyTime now, bool checkTokens) {
  std::vector<std::shared_ptr<McpSession>> sessions;
  {
    std::lock_guard lock(mutex_);
    for (const auto& [id, session] : sessions_) sessions.push_back(session);
  }
  for (const auto& session : sessions) {
    const bool idle = now - session->lastUsed() >= options_.idleTimeout;
    // The admin token is checked too: a configuration change may have replaced it.
    const bool revoked = !idle && checkTokens && !tokenValid_(session->identity().token);
    if (idle || revoked) end(session->identity().id);
  }
}

void SessionRegistry::run() {
  core::nameThisThread("fh-mcp");
  auto nextCheck = std::chrono::steady_clock::now() + options_.revocationCheck;
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    // Without sessions there is nothing to flush: wait for the expiry check, or the first session.
    const bool idle = sessions_.empty();
    wake_.wait_for(lock, idle ? options_.revocationCheck : options_.flushInterval,
                   [&] { return stopping_ || (idle && !sessions_.empty()); });
    if (stopping_) break;
    std::vector<std::shared_ptr<McpSession>> sessions;
    for (const auto& [id, session] : sessions_) sessions.push_back(session);
    lock.unlock();
    const auto now = std::chrono::steady_clock::now();
    for (const auto& session : sessions) session->flush(now);
    if (now >= nextCheck) {
      nextCheck = now + options_.revocationCheck;
      expire(now, true);
    }
    lock.lock();
  }
}

}  // namespace forgehook::mcp
