#pragma once
// Which master key the secrets of a shared PostgreSQL store are sealed with, checked before a node
// serves: store_settings.master_key_check holds a known text sealed with it. A node whose keys
// cannot open that text has another key and is refused at start; otherwise it would fail at every
// secret, later and less clearly (or, the first to start, seal new secrets the others cannot open).
#include "core/error.h"
#include "store/postgres/pg_connection.h"
#include "store/secret_sealer.h"

namespace forgehook::store::postgres {

// At start, before serving: throws StoreUnusable when the check value is there and `sealer`'s keys
// cannot open it; std::runtime_error when the store cannot be read. Without a value (a new store,
// or one migrate-store filled) it passes: recordMasterKey writes it once the secrets opened.
void verifyMasterKey(PgConnection& conn, const SecretSealer& sealer);

// Inside the transaction that has just opened (and sealed again where needed) every stored secret
// with `sealer`: writes the check value under its current key, when there is none or it was
// sealed under a previous key. Errors: as PgConnection::exec.
[[nodiscard]] core::Result<void> recordMasterKey(PgConnection& conn, const SecretSealer& sealer);

}  // namespace forgehook::store::postgres
