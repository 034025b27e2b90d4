#include "api/tokens_api.h"

#include <nlohmann/json.hpp>

#include "api/json_body.h"
#include "api/json_reply.h"
#include "api/path_id.h"
#include "api/query_params.h"

namespace forgehook::api {
namespace {

using nlohmann::json;

constexpr std::size_t kMaxNameLength = 100;

json timeOrNull(const std::optional<std::int64_t>& seconds) {
  return seconds ? json(core::formatRfc3339Seconds(*seconds)) : json();
}

json tokenJson(const store::TokenInfo& t) {
  return {{"id", t.id},
          {"name", t.name},
          {"created_at", core::formatRfc3339Seconds(t.createdAt)},
          {"last_used_at", timeOrNull(t.lastUsedAt)},
          {"revoked_at", timeOrNull(t.revokedAt)}};
}

}  // namespace

http::Response TokensApi::create(const http::Request& request) const {
  auto body = jsonBody(request, false);
  if (!body) return http::errorResponse(body.error());
  if (auto ok = onlyFields(*body, {"name"}); !ok) return http::errorResponse(ok.error());
  auto name = optionalString(*body, "name");
  if (!name) return http::errorResponse(name.error());
  if (!*name || (*name)->empty() || (*name)->size() > kMaxNameLength)
    return http::errorResponse(invalidArgument("name is required: 1 to 100 characters"));
  auto created = store_.createToken(**name, clock_.nowSeconds());
  if (!created) return http::errorResponse(created.error());
  return jsonReply({{"id", created->info.id},
                    {"name", created->info.name},
                    {"token", created->secret},
                    {"created_at", core::formatRfc3339Seconds(created->info.createdAt)}},
                   201);
}

http::Response TokensApi::list(const http::Request&) const {
  auto tokens = store_.listTokens();
  if (!tokens) return http::errorResponse(tokens.error());
  json items = json::array();
  for (const auto& t : *tokens) items.push_back(tokenJson(t));
  return jsonReply({{"tokens", std::move(items)}});
}

http::Response TokensApi::revoke(const http::Request& request) const {
  auto id = pathId(request, "/api/v1/tokens/");
  if (!id) return http::errorResponse(core::Error::notFound("no token at " + request.path));
  if (auto done = store_.revokeToken(*id, clock_.nowSeconds()); !done) return http::errorResponse(done.error());
  tickets_.dropTokenTickets(*id);
  if (revoked_) revoked_(*id);
  return jsonReply({{"revoked", *id}});
}

http::Response TokensApi::issueTicket(const http::Request& request, const Principal& principal) const {
  auto body = jsonBody(request, true);
  if (!body) return http::errorResponse(body.error());
  if (auto ok = onlyFields(*body, {}); !ok) return http::errorResponse(ok.error());
  auto ticket = tickets_.issue(principal);
  if (!ticket) return http::errorResponse(ticket.error());
  return jsonReply({{"ticket", ticket->text}, {"expires_at", core::formatRfc3339(ticket->expiresAtMicros)}}, 201);
}

}  // namespace forgehook::api
