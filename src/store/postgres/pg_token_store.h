#pragma once
// Read-only API tokens on PostgreSQL (store/token_store.h): only their SHA-256 is stored.
#include "store/postgres/pg_pool.h"
#include "store/token_store.h"

namespace forgehook::store::postgres {

class PgTokenStore final : public TokenStore {
 public:
  explicit PgTokenStore(PgPool& pool) : pool_(pool) {}
  [[nodiscard]] core::Result<CreatedToken> createToken(const std::string& name, std::int64_t nowSeconds) override;
  [[nodiscard]] core::Result<std::vector<TokenInfo>> listTokens() override;
  [[nodiscard]] core::Result<void> revokeToken(std::int64_t id, std::int64_t nowSeconds) override;
  [[nodiscard]] core::Result<std::optional<TokenInfo>> authenticate(std::string_view secret,
                                                                    std::int64_t nowSeconds) override;

 private:
  PgPool& pool_;
};

}  // namespace forgehook::store::postgres
