#include "store/postgres/pg_session_store.h"

namespace forgehook::store::postgres {

core::Result<void> PgSessionStore::createSession(std::string_view idSha256, const SessionRecord& session,
                                                 std::int64_t nowSeconds) {
  // One statement: expired sessions go as the new one is stored.
  auto stored = pool_.exec(
      "WITH expired AS (DELETE FROM sessions WHERE expires_at <= $9) INSERT INTO sessions (id_sha256, role, token_id, "
      "token_name, credential_sha256, csrf_token, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
      {std::string(idSha256), session.admin ? "admin" : "read_only", std::to_string(session.tokenId),
       session.tokenName, session.credentialSha256, session.csrfToken, std::to_string(session.createdAt),
       std::to_string(session.expiresAt), std::to_string(nowSeconds)});
  if (!stored) return std::unexpected(stored.error());
  return {};
}

core::Result<std::optional<SessionRecord>> PgSessionStore::findSession(std::string_view idSha256,
                                                                       std::int64_t nowSeconds) {
  // A read-only session lasts only while its token does: revoking the token ends it.
  auto rows = pool_.exec(
      "SELECT s.role, s.token_id, s.token_name, s.credential_sha256, s.csrf_token, s.created_at, s.expires_at "
      "FROM sessions s LEFT JOIN api_tokens t ON t.id = s.token_id WHERE s.id_sha256 = $1 AND s.expires_at > $2 "
      "AND (s.role = 'admin' OR (t.id IS NOT NULL AND t.revoked_at IS NULL))",
      {std::string(idSha256), std::to_string(nowSeconds)});
  if (!rows) return std::unexpected(rows.error());
  if (rows->rows() == 0) return std::optional<SessionRecord>{};
  SessionRecord r;
  r.admin = rows->text(0, 0) == "admin";
  r.tokenId = rows->integer(0, 1);
  r.tokenName = rows->text(0, 2);
  r.credentialSha256 = rows->text(0, 3);
  r.csrfToken = rows->text(0, 4);
  r.createdAt = rows->integer(0, 5);
  r.expiresAt = rows->integer(0, 6);
  return std::optional<SessionRecord>(std::move(r));
}

core::Result<void> PgSessionStore::deleteSession(std::string_view idSha256) {
  auto gone = pool_.exec("DELETE FROM sessions WHERE id_sha256 = $1", {std::string(idSha256)});
  if (!gone) return std::unexpected(gone.error());
  return {};
}

}  // namespace forgehook::store::postgres
