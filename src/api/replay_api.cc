#include "api/replay_api.h"
#include "core/forge.h"

#include <nlohmann/json.hpp>

#include "api/json_body.h"
#include "api/json_reply.h"
#include "api/path_id.h"
#include "api/query_params.h"
#include "core/time.h"

namespace forgehook::api {

using nlohmann::json;

http::Response ReplayApi::replayOne(const http::Request& request) const {
  auto id = pathId(request, "/api/v1/deliveries/", "/replay");
  if (!id) return http::errorResponse(core::Error::notFound("no delivery at " + request.path));
  store::DeliveryFilter filter;
  filter.id = id;
  auto n = queue_.requeue(filter, clock_.nowMicros());
  if (!n) return http::errorResponse(n.error());
  if (*n == 0) return http::errorResponse(core::Error::notFound("no delivery with id " + std::to_string(*id)));
  pipeline_.requeued();
  return jsonReply(json{{"requeued", *n}}, 202);
}

http::Response ReplayApi::replay(const http::Request& request) const {
  auto body = jsonBody(request, false);
  if (!body) return http::errorResponse(body.error());
  store::DeliveryFilter filter;
  bool all = false, filtered = false;
  for (const auto& [key, value] : body->items()) {
    if (key == "all") {
      if (!value.is_boolean() || !value.get<bool>())
        return http::errorResponse(invalidArgument("all must be true when given"));
      all = true;
      continue;
    }
    if (!value.is_string()) return http::errorResponse(invalidArgument(key + " must be a string"));
    const auto text = value.get<std::string>();
    if (key == "forge") {
      if (!isKnownForge(text))
        return http::errorResponse(invalidArgument("forge must be " + std::string(core::knownForgesText())));
      filter.forge = text;
    } else if (key == "event")
      filter.event = text;
    else if (key == "repository")
      filter.repository = text;
    else if (key == "status")
      filter.status = text;
    else if (key == "since" || key == "until") {
      auto micros = core::parseTimestamp(text);
      if (!micros) return http::errorResponse(invalidArgument(key + " must be RFC 3339 or Unix seconds"));
      (key == "since" ? filter.sinceMicros : filter.untilMicros) = micros;
    } else {
      return http::errorResponse(invalidArgument("unknown field \"" + key + "\""));
    }
    filtered = true;
  }
  // Replaying everything by accident would redo the whole log: ask for it by name.
  if (!all && !filtered)
    return http::errorResponse(
        invalidArgument("give at least one filter (forge, event, repository, status, since, until) or \"all\": true"));
  if (filter.status && *filter.status != "queued" && *filter.status != "retrying" && *filter.status != "processed" &&
      *filter.status != "duplicate" && *filter.status != "dead")
    return http::errorResponse(invalidArgument("status must be queued, retrying, processed, duplicate or dead"));
  // The whole log (no filter besides "all") is queued in chunks, as a rebuild that keeps the
  // projections: one transaction for all of it would hold the store's writer for minutes at 10 M.
  auto n = filtered ? queue_.requeue(filter, clock_.nowMicros()) : queue_.replayAll(clock_.nowMicros());
  if (!n) return http::errorResponse(n.error());
  pipeline_.requeued();
  return jsonReply(json{{"requeued", *n}}, 202);
}

http::Response ReplayApi::rebuild(const http::Request&) const {
  auto n = queue_.rebuildProjections(clock_.nowMicros());
  if (!n) return http::errorResponse(n.error());
  pipeline_.requeued();
  // With pruned bodies the projections were kept and re-applied over, not emptied (processing_queue.h).
  return jsonReply(json{{"requeued", n->queued}, {"pruned", n->pruned}, {"projections_kept", n->pruned > 0}}, 202);
}
}  // namespace forgehook::api
