#include "store/postgres/pg_key_check.h"

#include <stdexcept>

#include "store/store_unusable.h"

namespace forgehook::store::postgres {
namespace {

constexpr const char* kKeyCheck = "forgehook master key check";

}  // namespace

void verifyMasterKey(PgConnection& conn, const SecretSealer& sealer) {
  auto stored = conn.exec("SELECT value FROM store_settings WHERE key = 'master_key_check'");
  if (!stored) throw std::runtime_error("cannot read the PostgreSQL store's settings: " + stored.error().message);
  if (stored->rows() == 0) return;
  auto opened = sealer.open(stored->text(0, 0));
  if (!opened || *opened != kKeyCheck)
    throw StoreUnusable(
        "this node's master key cannot open the secrets of this PostgreSQL store: every node needs the store's "
        "master key (the same FORGEHOOK_MASTER_KEY, or the same master.key in each data_dir; a new key: "
        "docs/CONFIG.md, \"Several nodes on PostgreSQL\")");
}

core::Result<void> recordMasterKey(PgConnection& conn, const SecretSealer& sealer) {
  auto stored = conn.exec("SELECT value FROM store_settings WHERE key = 'master_key_check' FOR UPDATE");
  if (!stored) return std::unexpected(stored.error());
  if (stored->rows() > 0 && !sealer.needsResealing(stored->text(0, 0))) return {};
  auto written = conn.exec(
      "INSERT INTO store_settings (key, value) VALUES ('master_key_check', $1) ON CONFLICT (key) DO UPDATE SET value = "
      "excluded.value",
      {sealer.seal(kKeyCheck)});
  if (!written) return std::unexpected(written.error());
  return {};
}

}  // namespace forgehook::store::postgres
