#pragma once
// The PostgreSQL backend: every store role on one PostgreSQL database that several forgehook nodes
// share. The one header app/ includes to choose PostgreSQL; it names no libpq type.
#include <cstdint>
#include <memory>
#include <string>

#include "store/backend.h"

namespace forgehook::store {
class SecretSealer;
}

namespace forgehook::store::postgres {

struct PostgresOptions {
  std::string url;       // libpq connection string or URI
  std::string password;  // "" : the URL's, PGPASSWORD's or ~/.pgpass's
  // This node's name, unique among the nodes, the same after a restart (app/service.cc: store.postgres.node,
  // else host and data_dir).
  std::string node;
  std::int64_t claimLeaseMicros = 30'000'000;  // how long a repository claim lasts (pg_processing_claims.h)
  int poolSize = 8;
  // Seals every stored secret; must outlive the backend.
  const SecretSealer* sealer = nullptr;
};

// Connects, applies the schema's pending migrations (under an advisory lock: nodes starting at
// once migrate once) and returns the roles. Throws store::StoreUnusable for a database a newer
// forgehook migrated or whose secrets this node's master key cannot open (pg_key_check.h),
// std::invalid_argument without a sealer or a node name, std::runtime_error when the database
// cannot be reached or migrated (start-up only).
[[nodiscard]] std::unique_ptr<Backend> openPostgresBackend(PostgresOptions options);

}  // namespace forgehook::store::postgres
