#pragma once
// How the SQLite backend opens its database file.
#include <cstdint>
#include <string>

namespace forgehook::store {
class SecretSealer;
}

namespace forgehook::store::sqlite {

struct SqliteOptions {
  std::string path;           // database file
  bool fullSync = true;       // synchronous=FULL: durable across power loss
  std::int64_t maxBytes = 0;  // 0 = no cap; else the file may not grow past it (503 when full)
  // Seals every stored secret; must outlive the backend. Required by openSqliteBackend (the
  // Database alone needs none).
  const SecretSealer* sealer = nullptr;
  // PRAGMA quick_check before opening (store.quick_check_at_start): finds damaged pages at start
  // instead of at the first request that reads them; reads the whole file once.
  bool quickCheck = false;
  // The body journal's segment size (body_journal.h); tests make it small to see segments roll.
  std::int64_t journalSegmentBytes = 64ll << 20;
};

}  // namespace forgehook::store::sqlite
