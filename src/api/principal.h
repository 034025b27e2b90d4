#pragma once
// Who is calling the admin API, and what a route lets callers do. The admin token may do
// everything; a read-only API token (store/token_store.h) may only read, and not the secrets'
// scopes or the tokens themselves.
#include <cstdint>
#include <string>

namespace forgehook::api {

struct Principal {
  enum class Role { Admin, ReadOnly };
  Role role = Role::ReadOnly;
  std::int64_t tokenId = 0;  // ReadOnly: the API token's id
  std::string tokenName;     // ReadOnly: the API token's name
  // Set when the request was authenticated by a dashboard session cookie rather than a token: the
  // session's CSRF token, which its state-changing requests must echo (X-CSRF-Token).
  std::string sessionCsrf;
  std::int64_t sessionExpiresAt = 0;  // Unix seconds; with sessionCsrf

  [[nodiscard]] bool viaSession() const { return !sessionCsrf.empty(); }

  [[nodiscard]] static Principal admin() { return {Role::Admin, 0, {}, {}, 0}; }
  [[nodiscard]] static Principal readOnly(std::int64_t id, std::string name) {
    return {Role::ReadOnly, id, std::move(name), {}, 0};
  }
  [[nodiscard]] bool isAdmin() const { return role == Role::Admin; }
};

// What a route requires, written in the route table next to the route.
enum class Access {
  Public,  // nobody needs to authenticate (health, readiness, Prometheus metrics)
  Read,    // the admin token or a read-only API token
  Admin,   // the admin token: every change, and reading secrets' scopes and tokens
};

}  // namespace forgehook::api
