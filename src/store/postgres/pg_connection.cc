#include "store/postgres/pg_connection.h"

#include <libpq-fe.h>

#include <charconv>
#include <fstream>
#include <stdexcept>

namespace forgehook::store::postgres {
namespace {

// libpq's messages end in a newline and may span lines ("FATAL: ...\nDETAIL: ..."): one line here.
std::string oneLine(const char* message) {
  std::string out = message ? message : "";
  while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
  for (auto& ch : out)
    if (ch == '\n') ch = ' ';
  return out.empty() ? "no reason given" : out;
}

}  // namespace

PgSettings pgSettingsFrom(const core::Config::Store::Postgres& config) {
  PgSettings out{config.url, config.password};
  if (out.password.empty() && !config.passwordFile.empty()) {
    std::ifstream in(config.passwordFile);
    if (!in) throw std::invalid_argument("cannot read store.postgres.password_file " + config.passwordFile);
    std::getline(in, out.password);
    if (!out.password.empty() && out.password.back() == '\r') out.password.pop_back();
    if (out.password.empty())
      throw std::invalid_argument("store.postgres.password_file " + config.passwordFile + " is empty");
  }
  return out;
}

void PgResult::Free::operator()(pg_result* r) const { PQclear(r); }

int PgResult::rows() const { return PQntuples(result_.get()); }

bool PgResult::isNull(int row, int column) const { return PQgetisnull(result_.get(), row, column) != 0; }

std::string PgResult::text(int row, int column) const {
  return {PQgetvalue(result_.get(), row, column), static_cast<std::size_t>(PQgetlength(result_.get(), row, column))};
}

std::int64_t PgResult::integer(int row, int column) const {
  const std::string value = text(row, column);
  std::int64_t out = 0;
  const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), out);
  if (ec != std::errc{} || end != value.data() + value.size())
    throw std::runtime_error("PostgreSQL returned \"" + value + "\" where a number was expected");
  return out;
}

std::string PgResult::bytes(int row, int column) const {
  std::size_t length = 0;
  unsigned char* raw =
      PQunescapeBytea(reinterpret_cast<const unsigned char*>(PQgetvalue(result_.get(), row, column)), &length);
  if (raw == nullptr) throw std::runtime_error("PostgreSQL returned a bytea value that does not decode");
  std::string out(reinterpret_cast<const char*>(raw), length);
  PQfreemem(raw);
  return out;
}

void PgConnection::Close::operator()(pg_conn* c) const { PQfinish(c); }

core::Result<PgConnection> PgConnection::open(const PgSettings& settings) {
  // expand_dbname: `dbname` is the whole URL or key=value string; a password given apart from it
  // comes after, so it wins over one in the URL.
  std::vector<const char*> keys{"dbname", "fallback_application_name"};
  std::vector<const char*> values{settings.url.c_str(), "forgehook"};
  if (!settings.password.empty()) {
    keys.push_back("password");
    values.push_back(settings.password.c_str());
  }
  keys.push_back(nullptr);
  values.push_back(nullptr);
  pg_conn* raw = PQconnectdbParams(keys.data(), values.data(), 1);
  if (raw == nullptr) return std::unexpected(core::Error::unavailable("store_unavailable", "cannot connect to PostgreSQL: out of memory", 1));
  PgConnection conn(raw);
  if (PQstatus(raw) != CONNECTION_OK)
    return std::unexpected(core::Error::unavailable(
        "store_unavailable", "cannot connect to PostgreSQL: " + oneLine(PQerrorMessage(raw)), 1));
  // A commit returns once it is on the server's disk (a 2xx rests on it), whatever the server's or
  // the role's default; times in UTC.
  if (auto set = conn.exec("SET synchronous_commit = on; SET TIME ZONE 'UTC'"); !set)
    return std::unexpected(set.error());
  return conn;
}

core::Result<PgResult> PgConnection::exec(const std::string& sql, const std::vector<PgParam>& params) {
  sqlState_.clear();
  pg_result* raw = nullptr;
  if (params.empty()) {
    raw = PQexec(conn_.get(), sql.c_str());
  } else {
    std::vector<const char*> values;
    std::vector<int> lengths, formats;
    for (const auto& p : params) {
      values.push_back(p.value ? p.value->data() : nullptr);
      lengths.push_back(p.value ? static_cast<int>(p.value->size()) : 0);
      formats.push_back(p.binary ? 1 : 0);
    }
    raw = PQexecParams(conn_.get(), sql.c_str(), static_cast<int>(params.size()), nullptr, values.data(),
                       lengths.data(), formats.data(), 0);
  }
  PgResult result(raw);
  const auto status = raw ? PQresultStatus(raw) : PGRES_FATAL_ERROR;
  if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) return result;
  if (const char* state = raw ? PQresultErrorField(raw, PG_DIAG_SQLSTATE) : nullptr) sqlState_ = state;
  const std::string message = oneLine(raw ? PQresultErrorMessage(raw) : PQerrorMessage(conn_.get()));
  if (PQstatus(conn_.get()) != CONNECTION_OK)
    return std::unexpected(
        core::Error::unavailable("store_unavailable", "lost the connection to PostgreSQL: " + message, 1));
  return std::unexpected(core::Error::internal("PostgreSQL: " + message));
}

int PgConnection::serverVersion() const { return PQserverVersion(conn_.get()); }

bool PgConnection::usable() const { return PQstatus(conn_.get()) == CONNECTION_OK; }

bool PgConnection::inTransaction() const { return PQtransactionStatus(conn_.get()) != PQTRANS_IDLE; }

}  // namespace forgehook::store::postgres
