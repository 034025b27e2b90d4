#include "store/sqlite/token_store.h"

#include "core/digest.h"
#include "core/random.h"

namespace forgehook::store::sqlite {
namespace {

constexpr std::int64_t kLastUsedResolutionSeconds = 60;
constexpr const char* kInfoColumns = "id, name, created_at, last_used_at, revoked_at";

TokenInfo infoFrom(const Statement& s) {
  TokenInfo info{s.integer(0), s.text(1), s.integer(2), std::nullopt, std::nullopt};
  if (!s.isNull(3)) info.lastUsedAt = s.integer(3);
  if (!s.isNull(4)) info.revokedAt = s.integer(4);
  return info;
}

}  // namespace

core::Result<CreatedToken> SqliteTokenStore::createToken(const std::string& name, std::int64_t nowSeconds) {
  CreatedToken created;
  created.secret = std::string(kTokenPrefix) + core::randomHex(32);
  created.info.name = name;
  created.info.createdAt = nowSeconds;
  auto done = db_.write([&](sqlite3* db) -> core::Result<void> {
    Statement s(db, "INSERT INTO api_tokens (name, secret_sha256, created_at) VALUES (?1, ?2, ?3) RETURNING id");
    s.bind(1, name).bind(2, core::sha256Hex(created.secret)).bind(3, nowSeconds);
    must(s.step(), SQLITE_ROW);
    created.info.id = s.integer(0);
    must(s.step());
    return {};
  });
  if (!done) return std::unexpected(done.error());
  return created;
}

core::Result<std::vector<TokenInfo>> SqliteTokenStore::listTokens() {
  return db_.read<std::vector<TokenInfo>>([](sqlite3* db) -> core::Result<std::vector<TokenInfo>> {
    Statement s(db, std::string("SELECT ") + kInfoColumns + " FROM api_tokens ORDER BY id");
    std::vector<TokenInfo> out;
    while (s.step() == SQLITE_ROW) out.push_back(infoFrom(s));
    return out;
  });
}

core::Result<void> SqliteTokenStore::revokeToken(std::int64_t id, std::int64_t nowSeconds) {
  return db_.write([&](sqlite3* db) -> core::Result<void> {
    Statement s(db, "UPDATE api_tokens SET revoked_at = coalesce(revoked_at, ?2) WHERE id = ?1");
    s.bind(1, id).bind(2, nowSeconds);
    must(s.step());
    if (sqlite3_changes(db) == 0) return std::unexpected(core::Error::notFound("no token " + std::to_string(id)));
    return {};
  });
}

core::Result<std::optional<TokenInfo>> SqliteTokenStore::authenticate(std::string_view secret,
                                                                      std::int64_t nowSeconds) {
  if (!secret.starts_with(kTokenPrefix)) return std::optional<TokenInfo>{};
  const std::string hash = core::sha256Hex(secret);
  auto found = db_.read<std::optional<TokenInfo>>([&](sqlite3* db) -> core::Result<std::optional<TokenInfo>> {
    Statement s(
        db, std::string("SELECT ") + kInfoColumns + " FROM api_tokens WHERE secret_sha256 = ?1 AND revoked_at IS NULL");
    s.bind(1, hash);
    if (s.step() != SQLITE_ROW) return std::optional<TokenInfo>{};
    return std::optional<TokenInfo>(infoFrom(s));
  });
  if (!found || !*found) return found;
  auto& info = **found;
  if (!info.lastUsedAt || nowSeconds - *info.lastUsedAt >= kLastUsedResolutionSeconds) {
    // Best effort: the request is answered from the read; a failed write is retried next time.
    auto written = db_.write([&](sqlite3* db) -> core::Result<void> {
      Statement s(db, "UPDATE api_tokens SET last_used_at = ?2 WHERE id = ?1 AND revoked_at IS NULL");
      s.bind(1, info.id).bind(2, nowSeconds);
      must(s.step());
      return {};
    });
    if (written) info.lastUsedAt = nowSeconds;
  }
  return found;
}

}  // namespace forgehook::store::sqlite
