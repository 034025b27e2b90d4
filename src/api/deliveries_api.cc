#include "api/deliveries_api.h"

#include <nlohmann/json.hpp>

#include "api/delivery_json.h"
#include "api/query_params.h"
#include "core/time.h"

namespace forgehook::api {
namespace {

core::Result<store::DeliveryFilter> filterFrom(const http::Request& request) {
  store::DeliveryFilter f;
  auto bad = [](std::string message) { return std::unexpected(core::Error::invalidArgument("invalid_argument", std::move(message))); };
  f.forge = request.queryParam("forge");
  if (f.forge && *f.forge != "github" && *f.forge != "gitlab" && *f.forge != "gitea")
    return bad("forge must be github, gitlab or gitea");
  f.event = request.queryParam("event");
  f.repository = request.queryParam("repository");
  f.status = request.queryParam("status");
  for (auto [name, slot] : {std::pair{"since", &f.sinceMicros}, std::pair{"until", &f.untilMicros}}) {
    if (auto text = request.queryParam(name)) {
      *slot = core::parseTimestamp(*text);
      if (!*slot) return bad(std::string(name) + " must be RFC 3339 or Unix seconds");
    }
  }
  if (auto paging = readPaging(request, f.limit, f.beforeId); !paging) return std::unexpected(paging.error());
  return f;
}

}  // namespace

http::Response DeliveriesApi::list(const http::Request& request) const {
  auto filter = filterFrom(request);
  if (!filter) return http::errorResponse(filter.error());
  auto page = store_.listDeliveries(*filter);
  if (!page) return http::errorResponse(page.error());
  nlohmann::json items = nlohmann::json::array();
  for (const auto& d : page->deliveries) items.push_back(summaryJson(d));
  nlohmann::json out{{"deliveries", std::move(items)},
                     {"next_cursor", page->nextCursor ? nlohmann::json(std::to_string(*page->nextCursor)) : nlohmann::json(nullptr)}};
  return http::jsonResponse(200, out.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

http::Response DeliveriesApi::show(const http::Request& request) const {
  constexpr std::string_view kPrefix = "/api/v1/deliveries/";
  const auto id = parseInteger(std::string_view(request.path).substr(kPrefix.size()));
  if (!id) return http::errorResponse(core::Error::notFound("no delivery at " + request.path));
  auto delivery = store_.getDelivery(*id);
  if (!delivery) return http::errorResponse(delivery.error());
  return http::jsonResponse(200, detailJson(*delivery).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

}  // namespace forgehook::api
