#pragma once
// Read-only API tokens on SQLite (table api_tokens). Thread-safe.
#include "store/sqlite/database.h"
#include "store/token_store.h"

namespace forgehook::store::sqlite {

class SqliteTokenStore final : public TokenStore {
 public:
  explicit SqliteTokenStore(Database& db) : db_(db) {}

  core::Result<CreatedToken> createToken(const std::string& name, std::int64_t nowSeconds) override;
  core::Result<std::vector<TokenInfo>> listTokens() override;
  core::Result<void> revokeToken(std::int64_t id, std::int64_t nowSeconds) override;
  core::Result<std::optional<TokenInfo>> authenticate(std::string_view secret, std::int64_t nowSeconds) override;

 private:
  Database& db_;
};

}  // namespace forgehook::store::sqlite
