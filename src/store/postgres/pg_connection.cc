#include "store/postgres/pg_connection.h"

#include <libpq-fe.h>

#include <cctype>
#include <charconv>
#include <fstream>
#include <optional>
#include <stdexcept>

namespace forgehook::store::postgres {
namespace {

// libpq's messages end in a newline and may span lines ("FATAL: ...\n\tDETAIL: ..."): one line here,
// each run of whitespace one space.
std::string oneLine(const char* message) {
  std::string out;
  for (const char* c = message ? message : ""; *c; ++c) {
    const bool space = *c == '\n' || *c == '\t' || *c == '\r' || *c == ' ';
    if (!space)
      out += *c;
    else if (!out.empty() && out.back() != ' ')
      out += ' ';
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out.empty() ? "no reason given" : out;
}

bool isHex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }
bool isWordChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; }

// The URL read once: whether libpq would misread it so that pieces of its password land in an
// error message (a '/' or '@' not percent-encoded moves the password into the host, port or
// database name; a stray '%' or a string libpq cannot parse is quoted back), and the passwords no
// message may show (as written in the URL, as libpq decodes it, and the one given apart).
struct CheckedUrl {
  std::optional<core::Error> problem;
  std::vector<std::string> secrets;
};

CheckedUrl checkUrl(const PgSettings& settings) {
  CheckedUrl out;
  if (!settings.password.empty()) out.secrets.push_back(settings.password);
  std::string_view rest;
  for (const std::string_view scheme : {"postgresql://", "postgres://"})
    if (std::string_view(settings.url).starts_with(scheme)) rest = std::string_view(settings.url).substr(scheme.size());
  if (!rest.empty()) {
    const auto authorityEnd = rest.find_first_of("/?#");
    const auto authority = rest.substr(0, authorityEnd);
    const auto path = authorityEnd == std::string_view::npos ? std::string_view() : rest.substr(authorityEnd);
    const auto at = authority.rfind('@');
    bool bad = authority.find('@') != at || path.substr(0, path.find('?')).find('@') != std::string_view::npos;
    const auto userinfo = at == std::string_view::npos ? std::string_view() : authority.substr(0, at);
    for (std::size_t i = 0; i < userinfo.size() && !bad; ++i)
      if (userinfo[i] == '%' && (i + 2 >= userinfo.size() || !isHex(userinfo[i + 1]) || !isHex(userinfo[i + 2])))
        bad = true;
    if (const auto colon = userinfo.find(':'); colon != std::string_view::npos)
      out.secrets.emplace_back(userinfo.substr(colon + 1));
    if (bad)
      out.problem = core::Error::invalidArgument(
          "invalid_setting",
          "store.postgres.url: the user or password in the URL must be percent-encoded ('@' as %40, '/' as %2F, '%' "
          "as %25), or give the password in store.postgres.password");
  }
  char* error = nullptr;
  PQconninfoOption* options = PQconninfoParse(settings.url.c_str(), &error);
  if (error) PQfreemem(error);
  if (options == nullptr && !out.problem)
    out.problem = core::Error::invalidArgument(
        "invalid_setting", "store.postgres.url is not a libpq connection string or URI (postgresql://...)");
  for (auto* o = options; o && o->keyword; ++o)
    if (std::string_view(o->keyword) == "password" && o->val) out.secrets.emplace_back(o->val);
  if (options) PQconninfoFree(options);
  std::erase_if(out.secrets, [](const std::string& s) { return s.empty(); });
  return out;
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

std::int64_t PgResult::affected() const {
  const char* n = PQcmdTuples(result_.get());
  return n && *n ? std::stoll(n) : 0;
}

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

std::string PgConnection::scrubbed(std::string message) const {
  // A short password ("p") only as a whole word: it must not eat the "p" of "port" in every
  // message. A longer one goes wherever it stands.
  for (const auto& secret : secrets_) {
    for (auto at = message.find(secret); at != std::string::npos; at = message.find(secret, at + 1)) {
      const auto end = at + secret.size();
      const bool insideWord = (at > 0 && isWordChar(message[at - 1]) && isWordChar(secret.front())) ||
                              (end < message.size() && isWordChar(message[end]) && isWordChar(secret.back()));
      if (secret.size() < 6 && insideWord) continue;
      message.replace(at, secret.size(), "***");
    }
  }
  return message;
}

core::Result<PgConnection> PgConnection::open(const PgSettings& settings) {
  auto url = checkUrl(settings);
  if (url.problem) return std::unexpected(*url.problem);
  // expand_dbname: `dbname` is the whole URL or key=value string; a password given apart from it
  // comes after, so it wins over one in the URL.
  // A host that does not answer fails the start (or a request) within seconds, not the kernel's
  // minutes; given before `dbname`, so a connect_timeout in the URL wins.
  std::vector<const char*> keys{"connect_timeout", "dbname", "fallback_application_name"};
  std::vector<const char*> values{"10", settings.url.c_str(), "forgehook"};
  if (!settings.password.empty()) {
    keys.push_back("password");
    values.push_back(settings.password.c_str());
  }
  keys.push_back(nullptr);
  values.push_back(nullptr);
  pg_conn* raw = PQconnectdbParams(keys.data(), values.data(), 1);
  if (raw == nullptr)
    return std::unexpected(core::Error::unavailable("store_unavailable", "cannot connect to PostgreSQL: out of memory", 1));
  PgConnection conn(raw);
  conn.secrets_ = std::move(url.secrets);
  if (PQstatus(raw) != CONNECTION_OK)
    return std::unexpected(core::Error::unavailable(
        "store_unavailable", "cannot connect to PostgreSQL: " + conn.scrubbed(oneLine(PQerrorMessage(raw))), 1));
  // No DETAIL lines (a failing row's values) in messages: they travel to logs and answers.
  PQsetErrorVerbosity(raw, PQERRORS_TERSE);
  // Notices ("relation ... already exists, skipping") would go to stderr, outside the log's format.
  PQsetNoticeProcessor(raw, [](void*, const char*) {}, nullptr);
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
    // Prepared once per connection and text: the server parses and plans a statement the store
    // runs thousands of times a second (a batch's writes, the feed's reads) once, not every time.
    auto named = prepared_.find(sql);
    if (named == prepared_.end() && prepared_.size() < kMaxPrepared) {
      std::string name = "fh" + std::to_string(prepared_.size());
      pg_result* made = PQprepare(conn_.get(), name.c_str(), sql.c_str(), static_cast<int>(params.size()), nullptr);
      if (made && PQresultStatus(made) == PGRES_COMMAND_OK) {
        PQclear(made);
        named = prepared_.emplace(sql, std::move(name)).first;
      } else {
        raw = made;  // the statement's error (a failed prepare aborts the transaction as a failed run would)
      }
    }
    if (raw == nullptr && named != prepared_.end())
      raw = PQexecPrepared(conn_.get(), named->second.c_str(), static_cast<int>(params.size()), values.data(),
                           lengths.data(), formats.data(), 0);
    else if (raw == nullptr)
      raw = PQexecParams(conn_.get(), sql.c_str(), static_cast<int>(params.size()), nullptr, values.data(),
                         lengths.data(), formats.data(), 0);
  }
  PgResult result(raw);
  const auto status = raw ? PQresultStatus(raw) : PGRES_FATAL_ERROR;
  if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) return result;
  if (const char* state = raw ? PQresultErrorField(raw, PG_DIAG_SQLSTATE) : nullptr) sqlState_ = state;
  const std::string message = scrubbed(oneLine(raw ? PQresultErrorMessage(raw) : PQerrorMessage(conn_.get())));
  if (PQstatus(conn_.get()) != CONNECTION_OK)
    return std::unexpected(
        core::Error::unavailable("store_unavailable", "lost the connection to PostgreSQL: " + message, 1));
  // What passes with time or another try is the store being unavailable (503), not a bug (500):
  // connection trouble (08), a serialization failure or deadlock (40), no resources (53: disk,
  // memory, connections), an operator or a timeout (57), a read-only server (25006), a lock not
  // available (55P03).
  const std::string_view state = sqlState_;
  if (state.starts_with("08") || state.starts_with("40") || state.starts_with("53") || state.starts_with("57") ||
      state == "25006" || state == "55P03")
    return std::unexpected(core::Error::unavailable("store_unavailable", "PostgreSQL: " + message, 1));
  return std::unexpected(core::Error::internal("PostgreSQL: " + message));
}

bool PgConnection::usable() const { return PQstatus(conn_.get()) == CONNECTION_OK; }

bool PgConnection::inTransaction() const { return PQtransactionStatus(conn_.get()) != PQTRANS_IDLE; }

}  // namespace forgehook::store::postgres
