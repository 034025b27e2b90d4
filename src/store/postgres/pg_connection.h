#pragma once
// One libpq connection to the PostgreSQL store, and the rows a statement returned. Parameters are
// always sent apart from the SQL text (PQexecParams), never spliced into it. Errors carry libpq's
// message (terse: no DETAIL with a row's values) with the password, as given apart or inside the
// URL, replaced by "***"; a URL libpq would misread into quoting its password is refused first.
//
// Only store/postgres/ and the PostgreSQL parts of app/ include this; libpq's own header stays in
// the .cc.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <map>
#include <vector>

#include "core/config.h"
#include "core/error.h"

struct pg_conn;
struct pg_result;

namespace forgehook::store::postgres {

// Where the store is and how to log in, resolved from the configuration.
struct PgSettings {
  std::string url;       // libpq connection string or URI
  std::string password;  // empty: whatever the URL, PGPASSWORD or ~/.pgpass give
};

// store.postgres.*: the password is store.postgres.password (FORGEHOOK_STORE_POSTGRES_PASSWORD), else
// the first line of store.postgres.password_file. Throws std::invalid_argument when that file
// cannot be read or is empty.
[[nodiscard]] PgSettings pgSettingsFrom(const core::Config::Store::Postgres& config);

class PgResult {
 public:
  [[nodiscard]] int rows() const;
  [[nodiscard]] bool isNull(int row, int column) const;
  [[nodiscard]] std::string text(int row, int column) const;
  // Throws std::runtime_error when the value is not an integer.
  [[nodiscard]] std::int64_t integer(int row, int column) const;
  // A bytea column's bytes (sent as text, in hex). Throws std::runtime_error when it is not bytea.
  [[nodiscard]] std::string bytes(int row, int column) const;
  // The rows an INSERT, UPDATE or DELETE changed (0 for other statements).
  [[nodiscard]] std::int64_t affected() const;

 private:
  friend class PgConnection;
  struct Free {
    void operator()(pg_result* r) const;
  };
  explicit PgResult(pg_result* r) : result_(r) {}
  std::unique_ptr<pg_result, Free> result_;
};

// A statement parameter: text (the server parses it as the column's type), binary bytes (bytea),
// or NULL.
struct PgParam {
  PgParam(std::string text) : value(std::move(text)) {}  // NOLINT: implicit, parameters read as a list
  PgParam(const char* text) : value(text) {}             // NOLINT
  PgParam(std::nullopt_t) {}                              // NOLINT
  static PgParam bytes(std::string raw) {
    PgParam p(std::move(raw));
    p.binary = true;
    return p;
  }
  std::optional<std::string> value;
  bool binary = false;
};

class PgConnection {
 public:
  // Connects. Errors: InvalidArgument "invalid_setting" for a URL that is not one (or whose
  // password is not percent-encoded); Unavailable "store_unavailable" with libpq's reason (server
  // down, login refused, database missing, TLS required ...).
  [[nodiscard]] static core::Result<PgConnection> open(const PgSettings& settings);

  // Runs one statement (or, without parameters, several separated by ';'). Errors: Unavailable
  // "store_unavailable" when the connection is lost or the error passes with time (a deadlock, a
  // read-only or overloaded server, a timeout), Internal with the server's message otherwise; the
  // SQLSTATE is kept in sqlState() for callers that tell errors apart.
  [[nodiscard]] core::Result<PgResult> exec(const std::string& sql, const std::vector<PgParam>& params = {});

  // The SQLSTATE of the last failed exec ("" when it had none).
  [[nodiscard]] const std::string& sqlState() const { return sqlState_; }
  // False once the connection is lost: a pool drops it instead of handing it out again.
  [[nodiscard]] bool usable() const;
  // True between BEGIN and COMMIT/ROLLBACK (also when a failed statement aborted the transaction).
  [[nodiscard]] bool inTransaction() const;
  // The libpq handle, for what this class does not wrap (LISTEN's socket and notifications).
  [[nodiscard]] pg_conn* raw() const { return conn_.get(); }

 private:
  struct Close {
    void operator()(pg_conn* c) const;
  };
  explicit PgConnection(pg_conn* c) : conn_(c) {}
  [[nodiscard]] std::string scrubbed(std::string message) const;
  std::unique_ptr<pg_conn, Close> conn_;
  std::string sqlState_;
  // Statements with parameters, prepared on this connection: SQL text -> statement name. Texts
  // built from filters vary; past this many, new texts run unprepared.
  static constexpr std::size_t kMaxPrepared = 512;
  std::map<std::string, std::string> prepared_;  // (unordered_map: GCC 12 warns wrongly on its move)
  std::vector<std::string> secrets_;  // never shown: replaced in every message
};

}  // namespace forgehook::store::postgres
