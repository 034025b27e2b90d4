#pragma once
// Dashboard sessions on SQLite (table sessions). Thread-safe.
#include "store/session_store.h"
#include "store/sqlite/database.h"

namespace forgehook::store::sqlite {

class SqliteSessionStore final : public SessionStore {
 public:
  explicit SqliteSessionStore(Database& db) : db_(db) {}

  core::Result<void> createSession(std::string_view idSha256, const SessionRecord& session,
                                   std::int64_t nowSeconds) override;
  core::Result<std::optional<SessionRecord>> findSession(std::string_view idSha256, std::int64_t nowSeconds) override;
  core::Result<void> deleteSession(std::string_view idSha256) override;

 private:
  Database& db_;
};

}  // namespace forgehook::store::sqlite
