#pragma once
// Prepared statements kept per connection between uses. Preparing is the costly part of most of
// forgehook's statements (~100,000 instructions for a join, more than running it on an index), and
// the same texts come back all the time: every commit wakes the subscription dispatcher's reads,
// every API request its list query. Statement takes from here and gives back, so callers keep
// writing `Statement s(db, sql)`.
#include <sqlite3.h>

#include <string_view>

namespace forgehook::store::sqlite::statement_cache {

// An idle statement of `db` for exactly this SQL text, reset and without bindings; nullptr when
// there is none (the caller prepares one).
sqlite3_stmt* take(sqlite3* db, std::string_view sql);

// Keeps a statement its user is done with (already reset) for the next take(); finalizes it when
// its connection keeps none (not opened(), or purged), one for that text is already kept, or the
// connection's cache is full (the least recently used one goes).
void give(sqlite3_stmt* stmt);

// Finalizes every statement kept for `db`, before the connection closes; statements still in use
// are finalized when given back.
void purge(sqlite3* db);

// `db` keeps the statements given back for it, until purge().
void opened(sqlite3* db);

}  // namespace forgehook::store::sqlite::statement_cache
