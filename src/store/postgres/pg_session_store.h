#pragma once
// Dashboard sign-in sessions on PostgreSQL (store/session_store.h): shared by every node, so a
// browser signed in through one node stays signed in through the others.
#include "store/postgres/pg_pool.h"
#include "store/session_store.h"

namespace forgehook::store::postgres {

class PgSessionStore final : public SessionStore {
 public:
  explicit PgSessionStore(PgPool& pool) : pool_(pool) {}
  [[nodiscard]] core::Result<void> createSession(std::string_view idSha256, const SessionRecord& session,
                                                 std::int64_t nowSeconds) override;
  [[nodiscard]] core::Result<std::optional<SessionRecord>> findSession(std::string_view idSha256,
                                                                       std::int64_t nowSeconds) override;
  [[nodiscard]] core::Result<void> deleteSession(std::string_view idSha256) override;

 private:
  PgPool& pool_;
};

}  // namespace forgehook::store::postgres
