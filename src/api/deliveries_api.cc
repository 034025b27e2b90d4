#include "api/deliveries_api.h"

#include <array>
#include <nlohmann/json.hpp>

#include "api/delivery_json.h"
#include "api/json_reply.h"
#include "api/query_params.h"

namespace forgehook::api {
namespace {

constexpr std::array<std::string_view, 5> kStatuses{"queued", "retrying", "processed", "duplicate", "dead"};

core::Result<store::DeliveryFilter> filterFrom(const http::Request& request, std::int64_t nowMicros) {
  store::DeliveryFilter f;
  auto forge = readForge(request);
  if (!forge) return std::unexpected(forge.error());
  f.forge = *forge;
  f.event = request.queryParam("event");
  f.repository = request.queryParam("repository");
  f.deliveryId = request.queryParam("delivery_id");
  f.status = request.queryParam("status");
  if (f.status)
    if (auto ok = checkOneOf("status", *f.status, kStatuses); !ok) return std::unexpected(ok.error());
  auto range = readTimeRange(request, nowMicros);
  if (!range) return std::unexpected(range.error());
  f.sinceMicros = range->sinceMicros;
  f.untilMicros = range->untilMicros;
  if (auto limit = readLimit(request, f.limit); !limit) return std::unexpected(limit.error());
  if (auto cursor = request.queryParam("cursor")) {
    f.beforeId = parseInteger(*cursor);
    if (!f.beforeId || *f.beforeId < 1) return std::unexpected(invalidArgument("cursor is not one this API returned"));
  }
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
