#include "model/normalize.h"

#include "core/forge.h"
#include "core/form.h"
#include "model/event_key.h"
#include "model/forge_mappers.h"

namespace forgehook::model {

core::Result<store::ProcessedDelivery> normalize(const store::QueuedDelivery& d) {
  auto unreadable = [](std::string message) {
    return std::unexpected(core::Error::invalidArgument("unreadable_payload", std::move(message)));
  };
  if (!d.loadError.empty()) return unreadable("stored body cannot be decoded: " + d.loadError);
  std::string form;
  std::string_view json = d.rawBody;
  if (d.contentType == "application/x-www-form-urlencoded") {
    auto decoded = core::decodeFormPayload(d.rawBody);
    if (!decoded) return unreadable(decoded.error().message);
    form = std::move(*decoded);
    json = form;
  }
  // One parser per thread: its buffers are reused across deliveries.
  thread_local simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (auto err = parser.parse(json.data(), json.size()).get(doc); err)
    return unreadable(std::string("body is not valid JSON: ") + simdjson::error_message(err));

  store::ProcessedDelivery out;
  out.id = d.id;
  out.forge = d.forge;
  out.source = d.source;
  auto& a = out.activity;
  a.at = d.receivedAt / 1'000'000;
  a.forge = d.forge;
  a.repository = d.repository;
  a.actor = d.sender;
  a.kind = d.event;
  a.action = d.action;
  const JsonView payload(doc);
  if (core::parseForge(d.forge) == core::Forge::GitLab)
    mapGitLab(payload, out);
  else
    mapGitHubLike(d.forge, d.event, payload, out);
  // Only GitHub is polled (Events API); elsewhere every delivery is the forge's own and applied.
  if (core::parseForge(d.forge) == core::Forge::GitHub) out.eventKey = eventKey(d.event, payload);
  if (a.summary.empty()) {
    a.summary = (a.actor.empty() ? std::string("someone") : a.actor) + " sent " + a.kind;
    if (!a.action.empty()) a.summary += " " + a.action;
  }
  return out;
}

}  // namespace forgehook::model
