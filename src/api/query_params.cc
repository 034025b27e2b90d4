#include "api/query_params.h"

#include <charconv>

#include "core/time.h"

namespace forgehook::api {

std::optional<std::int64_t> parseInteger(std::string_view text) {
  std::int64_t v = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (text.empty() || ec != std::errc{} || p != text.data() + text.size()) return std::nullopt;
  return v;
}

std::optional<std::int64_t> timeframeSeconds(std::string_view text) {
  if (text == "1h") return 3600;
  if (text == "6h") return 6 * 3600;
  if (text == "24h") return 24 * 3600;
  if (text == "7d") return 7 * 86400;
  if (text == "30d") return 30 * 86400;
  return std::nullopt;
}

core::Error invalidArgument(std::string message) {
  return core::Error::invalidArgument("invalid_argument", std::move(message));
}

bool isKnownForge(std::string_view forge) { return forge == "github" || forge == "gitlab" || forge == "gitea"; }

core::Result<std::optional<std::string>> readForge(const http::Request& request) {
  auto forge = request.queryParam("forge");
  if (forge && !isKnownForge(*forge)) return std::unexpected(invalidArgument("forge must be github, gitlab or gitea"));
  return forge;
}

core::Result<TimeRange> readTimeRange(const http::Request& request, std::int64_t nowMicros) {
  TimeRange range;
  if (auto tf = request.queryParam("timeframe")) {
    auto seconds = timeframeSeconds(*tf);
    if (!seconds) return std::unexpected(invalidArgument("timeframe must be one of 1h, 6h, 24h, 7d, 30d"));
    range.sinceMicros = nowMicros - *seconds * 1'000'000;
  }
  for (auto [name, slot] : {std::pair{"since", &range.sinceMicros}, std::pair{"until", &range.untilMicros}}) {
    if (auto text = request.queryParam(name)) {
      *slot = core::parseTimestamp(*text);
      if (!*slot) return std::unexpected(invalidArgument(std::string(name) + " must be RFC 3339 or Unix seconds"));
    }
  }
  return range;
}

core::Result<store::ResourceQuery> resourceQueryFrom(const http::Request& request, std::string resource,
                                                     std::int64_t now) {
  store::ResourceQuery q;
  q.resource = std::move(resource);
  auto forge = readForge(request);
  if (!forge) return std::unexpected(forge.error());
  q.forge = *forge;
  q.repository = request.queryParam("repository");
  q.actor = request.queryParam("actor");
  q.state = request.queryParam("state");
  if (auto kinds = request.queryParam("kind")) {
    std::string_view rest = *kinds;
    while (!rest.empty()) {
      const auto comma = rest.find(',');
      if (auto k = rest.substr(0, comma); !k.empty()) q.kinds.emplace_back(k);
      rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
    }
  }
  auto range = readTimeRange(request, now * 1'000'000);
  if (!range) return std::unexpected(range.error());
  if (range->sinceMicros) q.since = *range->sinceMicros / 1'000'000;
  if (range->untilMicros) q.until = *range->untilMicros / 1'000'000;
  if (auto number = request.queryParam("number")) {
    q.number = parseInteger(*number);
    if (!q.number || *q.number < 1) return std::unexpected(invalidArgument("number must be a positive integer"));
  }
  if (auto paging = readPaging(request, q.limit, q.beforeRow); !paging) return std::unexpected(paging.error());
  return q;
}

core::Result<void> readPaging(const http::Request& request, int& limit, std::optional<std::int64_t>& cursor) {
  auto bad = [](std::string message) { return std::unexpected(invalidArgument(std::move(message))); };
  if (auto text = request.queryParam("limit")) {
    auto v = parseInteger(*text);
    if (!v || *v < 1 || *v > 500) return bad("limit must be between 1 and 500");
    limit = static_cast<int>(*v);
  }
  if (auto text = request.queryParam("cursor")) {
    auto v = parseInteger(*text);
    if (!v || *v < 1) return bad("cursor is not one this API returned");
    cursor = v;
  }
  return {};
}

}  // namespace forgehook::api
