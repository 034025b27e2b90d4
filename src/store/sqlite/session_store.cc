#include "store/sqlite/session_store.h"

namespace forgehook::store::sqlite {

core::Result<void> SqliteSessionStore::createSession(std::string_view idSha256, const SessionRecord& session,
                                                     std::int64_t nowSeconds) {
  return db_.write([&](sqlite3* db) -> core::Result<void> {
    Statement expired(db, "DELETE FROM sessions WHERE expires_at <= ?1");
    expired.bind(1, nowSeconds);
    must(expired.step());
    Statement s(db,
                "INSERT INTO sessions (id_sha256, role, token_id, token_name, credential_sha256, csrf_token, "
                "created_at, expires_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
    s.bind(1, std::string(idSha256))
        .bind(2, std::string(session.admin ? "admin" : "read_only"))
        .bind(3, session.tokenId)
        .bind(4, session.tokenName)
        .bind(5, session.credentialSha256)
        .bind(6, session.csrfToken)
        .bind(7, session.createdAt)
        .bind(8, session.expiresAt);
    must(s.step());
    return {};
  });
}

core::Result<std::optional<SessionRecord>> SqliteSessionStore::findSession(std::string_view idSha256,
                                                                           std::int64_t nowSeconds) {
  return db_.read<std::optional<SessionRecord>>([&](sqlite3* db) -> core::Result<std::optional<SessionRecord>> {
    // A read-only session lasts only while its token does: revoking the token ends it.
    Statement s(db,
                "SELECT s.role, s.token_id, s.token_name, s.credential_sha256, s.csrf_token, s.created_at, "
                "s.expires_at FROM sessions s LEFT JOIN api_tokens t ON t.id = s.token_id "
                "WHERE s.id_sha256 = ?1 AND s.expires_at > ?2 "
                "AND (s.role = 'admin' OR (t.id IS NOT NULL AND t.revoked_at IS NULL))");
    s.bind(1, std::string(idSha256)).bind(2, nowSeconds);
    if (s.step() != SQLITE_ROW) return std::optional<SessionRecord>{};
    SessionRecord r;
    r.admin = s.text(0) == "admin";
    r.tokenId = s.integer(1);
    r.tokenName = s.text(2);
    r.credentialSha256 = s.text(3);
    r.csrfToken = s.text(4);
    r.createdAt = s.integer(5);
    r.expiresAt = s.integer(6);
    return std::optional<SessionRecord>(std::move(r));
  });
}

core::Result<void> SqliteSessionStore::deleteSession(std::string_view idSha256) {
  return db_.write([&](sqlite3* db) -> core::Result<void> {
    Statement s(db, "DELETE FROM sessions WHERE id_sha256 = ?1");
    s.bind(1, std::string(idSha256));
    must(s.step());
    return {};
  });
}

}  // namespace forgehook::store::sqlite
