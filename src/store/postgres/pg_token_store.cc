#include "store/postgres/pg_token_store.h"

#include "core/digest.h"
#include "core/random.h"

namespace forgehook::store::postgres {
namespace {

constexpr std::int64_t kLastUsedResolutionSeconds = 60;
constexpr const char* kInfoColumns = "id, name, created_at, last_used_at, revoked_at";

TokenInfo infoFrom(const PgResult& r, int row) {
  TokenInfo info{r.integer(row, 0), r.text(row, 1), r.integer(row, 2), std::nullopt, std::nullopt};
  if (!r.isNull(row, 3)) info.lastUsedAt = r.integer(row, 3);
  if (!r.isNull(row, 4)) info.revokedAt = r.integer(row, 4);
  return info;
}

}  // namespace

core::Result<CreatedToken> PgTokenStore::createToken(const std::string& name, std::int64_t nowSeconds) {
  CreatedToken created;
  created.secret = std::string(kTokenPrefix) + core::randomHex(32);
  created.info.name = name;
  created.info.createdAt = nowSeconds;
  auto row = pool_.exec("INSERT INTO api_tokens (name, secret_sha256, created_at) VALUES ($1, $2, $3) RETURNING id",
                           {name, core::sha256Hex(created.secret), std::to_string(nowSeconds)});
  if (!row) return std::unexpected(row.error());
  created.info.id = row->integer(0, 0);
  return created;
}

core::Result<std::vector<TokenInfo>> PgTokenStore::listTokens() {
  auto rows = pool_.exec(std::string("SELECT ") + kInfoColumns + " FROM api_tokens ORDER BY id");
  if (!rows) return std::unexpected(rows.error());
  std::vector<TokenInfo> out;
  for (int i = 0; i < rows->rows(); ++i) out.push_back(infoFrom(*rows, i));
  return out;
}

core::Result<void> PgTokenStore::revokeToken(std::int64_t id, std::int64_t nowSeconds) {
  auto row = pool_.exec("UPDATE api_tokens SET revoked_at = coalesce(revoked_at, $2) WHERE id = $1 RETURNING 1",
                           {std::to_string(id), std::to_string(nowSeconds)});
  if (!row) return std::unexpected(row.error());
  if (row->rows() == 0) return std::unexpected(core::Error::notFound("no token " + std::to_string(id)));
  return {};
}

core::Result<std::optional<TokenInfo>> PgTokenStore::authenticate(std::string_view secret, std::int64_t nowSeconds) {
  if (!secret.starts_with(kTokenPrefix)) return std::optional<TokenInfo>{};
  auto rows = pool_.exec(
      std::string("SELECT ") + kInfoColumns + " FROM api_tokens WHERE secret_sha256 = $1 AND revoked_at IS NULL",
      {core::sha256Hex(secret)});
  if (!rows) return std::unexpected(rows.error());
  if (rows->rows() == 0) return std::optional<TokenInfo>{};
  auto info = infoFrom(*rows, 0);
  if (!info.lastUsedAt || nowSeconds - *info.lastUsedAt >= kLastUsedResolutionSeconds) {
    // Best effort: the request is answered from the read; a failed write is retried next time.
    if (pool_.exec("UPDATE api_tokens SET last_used_at = $2 WHERE id = $1 AND revoked_at IS NULL",
                      {std::to_string(info.id), std::to_string(nowSeconds)}))
      info.lastUsedAt = nowSeconds;
  }
  return std::optional<TokenInfo>(std::move(info));
}

}  // namespace forgehook::store::postgres
