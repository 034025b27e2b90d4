#pragma once
// /api/v1/tokens: read-only API tokens (create: the text is in that answer only; list: never the
// text; revoke), and /api/v1/stream/tickets: single-use tickets for opening a stream from a
// browser. Blocking (store access). Thread-safe.
#include <functional>

#include "api/principal.h"
#include "api/stream_tickets.h"
#include "core/time.h"
#include "http/request.h"
#include "store/token_store.h"

namespace forgehook::api {

class TokensApi {
 public:
  // `revoked` is told the id of each token revoked (to end what it opened: streams, sessions).
  TokensApi(store::TokenStore& store, StreamTickets& tickets, const core::Clock& clock,
            std::function<void(std::int64_t)> revoked = {})
      : store_(store), tickets_(tickets), clock_(clock), revoked_(std::move(revoked)) {}
  // POST /api/v1/tokens {"name": "..."} -> 201 {"id", "name", "token", "created_at"}
  [[nodiscard]] http::Response create(const http::Request& request) const;
  // GET /api/v1/tokens -> {"tokens": [{"id", "name", "created_at", "last_used_at", "revoked_at"}]}
  [[nodiscard]] http::Response list(const http::Request& request) const;
  // DELETE /api/v1/tokens/{id} -> {"revoked": id}; the token's unused stream tickets go with it,
  // and `revoked` ends its open streams.
  [[nodiscard]] http::Response revoke(const http::Request& request) const;
  // POST /api/v1/stream/tickets (empty body or {}) -> 201 {"ticket", "expires_at"}, for `principal`.
  [[nodiscard]] http::Response issueTicket(const http::Request& request, const Principal& principal) const;

 private:
  store::TokenStore& store_;
  StreamTickets& tickets_;
  const core::Clock& clock_;
  std::function<void(std::int64_t)> revoked_;
};

}  // namespace forgehook::api
