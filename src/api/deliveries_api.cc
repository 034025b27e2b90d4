#include "api/deliveries_api.h"

#include <nlohmann/json.hpp>

#include "api/delivery_json.h"
#include "api/json_reply.h"
#include "api/query_params.h"

namespace forgehook::api {
namespace {

core::Result<store::DeliveryFilter> filterFrom(const http::Request& request, std::int64_t nowMicros) {
  store::DeliveryFilter f;
  auto forge = readForge(request);
  if (!forge) return std::unexpected(forge.error());
  f.forge = *forge;
  f.event = request.queryParam("event");
  f.repository = request.queryParam("repository");
  f.status = request.queryParam("status");
  auto range = readTimeRange(request, nowMicros);
  if (!range) return std::unexpected(range.error());
  f.sinceMicros = range->sinceMicros;
  f.untilMicros = range->untilMicros;
  if (auto paging = readPaging(request, f.limit, f.beforeId); !paging) return std::unexpected(paging.error());
  return f;
}

}  // namespace

http::Response DeliveriesApi::list(const http::Request& request) const {
  auto filter = filterFrom(request, clock_.nowMicros());
  if (!filter) return http::errorResponse(filter.error());
  auto page = store_.listDeliveries(*filter);
  if (!page) return http::errorResponse(page.error());
  nlohmann::json items = nlohmann::json::array();
  for (const auto& d : page->deliveries) items.push_back(summaryJson(d));
  nlohmann::json out{
      {"deliveries", std::move(items)},
      {"next_cursor", page->nextCursor ? nlohmann::json(std::to_string(*page->nextCursor)) : nlohmann::json(nullptr)}};
  return jsonReply(out);
}

http::Response DeliveriesApi::show(const http::Request& request) const {
  constexpr std::string_view kPrefix = "/api/v1/deliveries/";
  const auto id = parseInteger(std::string_view(request.path).substr(kPrefix.size()));
  if (!id) return http::errorResponse(core::Error::notFound("no delivery at " + request.path));
  auto delivery = store_.getDelivery(*id);
  if (!delivery) return http::errorResponse(delivery.error());
  return jsonReply(detailJson(*delivery));
}

}  // namespace forgehook::api
