#pragma once
// The live MCP sessions, in memory and bounded: at most `maxSessions`, an idle one expires after
// `idleTimeout`, and one whose read-only token was revoked is ended. A thread flushes the sessions'
// coalesced notifications every ~50 ms and checks expiry and revocation every few seconds.
// Thread-safe.
#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "core/error.h"
#include "mcp/mcp_session.h"

namespace forgehook::mcp {

class SessionRegistry {
 public:
  struct Options {
    std::size_t maxSessions = 1000;
    std::chrono::seconds idleTimeout{3600};
    std::chrono::milliseconds flushInterval{50};
    std::chrono::seconds revocationCheck{5};
  };
  // Whether a token still authenticates (a store read for a read-only token; false when revoked).
  using TokenValid = std::function<bool(const std::string& token)>;
  SessionRegistry(live::ChangeHub& hub, TokenValid tokenValid, Options options);
  ~SessionRegistry();  // ends every session, stops the thread

  // A new session with a fresh random id. Errors: Unavailable "mcp_sessions_full" when
  // maxSessions are live (after expiring the idle ones).
  [[nodiscard]] core::Result<std::shared_ptr<McpSession>> create(McpSession::Identity identity);
  // Null for an unknown, expired or ended id.
  [[nodiscard]] std::shared_ptr<McpSession> find(const std::string& id);
  // Ends and forgets it; false when unknown.
  bool end(const std::string& id);
  [[nodiscard]] std::size_t size() const;

 private:
  void run();
  void expire(SteadyTime now, bool checkTokens);

  live::ChangeHub& hub_;
  TokenValid tokenValid_;
  Options options_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::map<std::string, std::shared_ptr<McpSession>> sessions_;
  std::thread thread_;
};

}  // namespace forgehook::mcp
