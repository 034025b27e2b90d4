#include "api/query_params.h"
#include "core/forge.h"

#include <algorithm>
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

namespace {

std::string joined(std::span<const std::string_view> words) {
  std::string out;
  for (const auto w : words) {
    if (!out.empty()) out += ", ";
    out += w;
  }
  return out;
}

}  // namespace

core::Result<void> checkParams(const http::Request& request, std::span<const std::string_view> accepted) {
  std::vector<std::string> seen;
  std::string_view rest = request.query;
  while (!rest.empty()) {
    const auto amp = rest.find('&');
    const std::string_view pair = rest.substr(0, amp);
    rest = amp == std::string_view::npos ? std::string_view{} : rest.substr(amp + 1);
    if (pair.empty()) continue;
    const auto eq = pair.find('=');
    std::string name, value;
    if (!core::percentDecode(pair.substr(0, eq), name))
      return std::unexpected(
          invalidArgument("parameter \"" + std::string(pair.substr(0, eq)) + "\" is not percent-encoded"));
    if (eq != std::string_view::npos && !core::percentDecode(pair.substr(eq + 1), value))
      return std::unexpected(invalidArgument("the value of parameter \"" + name + "\" is not percent-encoded"));
    if (std::find(accepted.begin(), accepted.end(), name) == accepted.end()) {
      if (accepted.empty()) return std::unexpected(invalidArgument(request.path + " takes no query parameters"));
      return std::unexpected(
          invalidArgument("unknown parameter \"" + name + "\"; " + request.path + " accepts " + joined(accepted)));
    }
    if (std::find(seen.begin(), seen.end(), name) != seen.end())
      return std::unexpected(invalidArgument("parameter \"" + name + "\" is given twice"));
    seen.push_back(std::move(name));
  }
  return {};
}

std::vector<std::string_view> listParams(const store::ResourceSpec& spec) {
  std::vector<std::string_view> params{"forge", "repository"};
  if (store::accepts(spec, store::kFilterActor)) params.push_back(spec.actorParam);
  if (store::accepts(spec, store::kFilterState)) params.push_back("state");
  if (store::accepts(spec, store::kFilterNumber)) params.push_back("number");
  if (store::accepts(spec, store::kFilterKind)) params.push_back("kind");
  if (store::accepts(spec, store::kFilterTime)) params.insert(params.end(), {"since", "until", "timeframe"});
  params.insert(params.end(), {"limit", "cursor"});
  return params;
}

bool isKnownForge(std::string_view forge) { return core::parseForge(forge).has_value(); }

core::Result<std::optional<std::string>> readForge(const http::Request& request) {
  auto forge = request.queryParam("forge");
  if (forge && !isKnownForge(*forge))
    return std::unexpected(invalidArgument("forge must be " + std::string(core::knownForgesText())));
  return forge;
}

core::Result<void> checkOneOf(std::string_view name, std::string_view value,
                              std::span<const std::string_view> allowed) {
  if (std::find(allowed.begin(), allowed.end(), value) != allowed.end()) return {};
  return std::unexpected(invalidArgument(std::string(name) + " must be one of " + joined(allowed) + " (got \"" +
                                         std::string(value) + "\")"));
}

core::Result<TimeRange> readTimeRange(const http::Request& request, std::int64_t nowMicros) {
  TimeRange range;
  if (auto tf = request.queryParam("timeframe")) {
    auto seconds = timeframeSeconds(*tf);
    if (!seconds) return std::unexpected(invalidArgument("timeframe must be one of 1h, 6h, 24h, 7d, 30d"));
    if (request.queryParam("since")) return std::unexpected(invalidArgument("give timeframe or since, not both"));
    range.sinceMicros = nowMicros - *seconds * 1'000'000;
  }
  for (auto [name, slot] : {std::pair{"since", &range.sinceMicros}, std::pair{"until", &range.untilMicros}}) {
    if (auto text = request.queryParam(name)) {
      *slot = core::parseTimestamp(*text);
      if (!*slot) return std::unexpected(invalidArgument(std::string(name) + " must be RFC 3339 or Unix seconds"));
    }
  }
  if (range.sinceMicros && range.untilMicros && *range.sinceMicros >= *range.untilMicros)
    return std::unexpected(invalidArgument("since must be before until"));
  return range;
}

core::Result<store::ResourceQuery> resourceQueryFrom(const http::Request& request, const store::ResourceSpec& spec,
                                                     std::int64_t now) {
  store::ResourceQuery q;
  q.resource = spec.resource;
  auto forge = readForge(request);
  if (!forge) return std::unexpected(forge.error());
  q.forge = *forge;
  q.repository = request.queryParam("repository");
  if (store::accepts(spec, store::kFilterActor)) q.actor = request.queryParam(spec.actorParam);
  if (store::accepts(spec, store::kFilterState)) q.state = request.queryParam("state");
  if (q.state)
    if (auto ok = checkOneOf("state", *q.state, spec.states); !ok) return std::unexpected(ok.error());
  if (auto kinds = request.queryParam("kind")) {
    std::string_view rest = *kinds;
    while (!rest.empty()) {
      const auto comma = rest.find(',');
      if (auto k = rest.substr(0, comma); !k.empty()) q.kinds.emplace_back(k);
      rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
    }
    // An empty list would silently mean "every kind".
    if (q.kinds.empty()) return std::unexpected(invalidArgument("kind must name at least one event kind"));
  }
  auto range = readTimeRange(request, now * 1'000'000);
  if (!range) return std::unexpected(range.error());
  if (range->sinceMicros) q.since = *range->sinceMicros / 1'000'000;
  if (range->untilMicros) q.until = *range->untilMicros / 1'000'000;
  if (auto number = request.queryParam("number")) {
    q.number = parseInteger(*number);
    if (!q.number || *q.number < 1) return std::unexpected(invalidArgument("number must be a positive integer"));
  }
  if (auto limit = readLimit(request, q.limit); !limit) return std::unexpected(limit.error());
  q.cursor = request.queryParam("cursor");
  return q;
}

core::Result<void> readLimit(const http::Request& request, int& limit) {
  if (auto text = request.queryParam("limit")) {
    auto v = parseInteger(*text);
    if (!v || *v < 1 || *v > 500) return std::unexpected(invalidArgument("limit must be between 1 and 500"));
    limit = static_cast<int>(*v);
  }
  return {};
}

}  // namespace forgehook::api
