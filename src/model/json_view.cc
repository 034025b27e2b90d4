#include "model/json_view.h"

#include <limits>

#include "core/time.h"

namespace forgehook::model {

JsonView JsonView::operator[](std::string_view key) const {
  if (!present_) return {};
  simdjson::dom::element child;
  if (element_.at_key(key).get(child) != simdjson::SUCCESS) return {};
  return JsonView(child);
}

std::string JsonView::str() const {
  if (!present_) return {};
  std::string_view text;
  if (element_.get(text) == simdjson::SUCCESS) return std::string(text);
  std::int64_t number;
  if (element_.get(number) == simdjson::SUCCESS) return std::to_string(number);
  std::uint64_t unsignedNumber;
  if (element_.get(unsignedNumber) == simdjson::SUCCESS) return std::to_string(unsignedNumber);
  return {};
}

std::optional<std::int64_t> JsonView::integer() const {
  if (!present_) return std::nullopt;
  std::int64_t number;
  if (element_.get(number) == simdjson::SUCCESS) return number;
  // A real number is truncated; one outside the int64 range (1e300 in a payload) is no integer.
  double real;
  if (element_.get(real) == simdjson::SUCCESS && real >= -9.2e18 && real <= 9.2e18)
    return static_cast<std::int64_t>(real);
  return std::nullopt;
}

std::optional<bool> JsonView::boolean() const {
  if (!present_) return std::nullopt;
  bool value;
  if (element_.get(value) == simdjson::SUCCESS) return value;
  return std::nullopt;
}

std::optional<std::int64_t> JsonView::time() const {
  if (!present_) return std::nullopt;
  std::string_view text;
  if (element_.get(text) == simdjson::SUCCESS) return parseForgeTime(text);
  // A number of seconds only within the range of text timestamps (core::parseTimestamp): versions
  // (seconds * 100) and microseconds are computed from it, and 9e18 in a payload must not overflow them.
  constexpr std::int64_t kMaxSeconds = std::numeric_limits<std::int64_t>::max() / 1'000'000 - 1;
  const auto seconds = integer();
  if (seconds && (*seconds > kMaxSeconds || *seconds < -kMaxSeconds)) return std::nullopt;
  return seconds;
}

std::vector<JsonView> JsonView::array() const {
  std::vector<JsonView> out;
  simdjson::dom::array items;
  if (!present_ || element_.get(items) != simdjson::SUCCESS) return out;
  for (auto item : items) out.emplace_back(item);
  return out;
}

std::optional<std::int64_t> parseForgeTime(std::string_view text) {
  if (text.empty()) return std::nullopt;
  if (auto micros = core::parseTimestamp(text)) return *micros / 1'000'000;
  // GitLab: "2024-01-02 03:04:05 UTC" or "2024-01-02 03:04:05 +0100".
  if (text.size() >= 19 && text[10] == ' ') {
    std::string iso(text.substr(0, 19));
    iso[10] = 'T';
    std::string_view zone = text.substr(19);
    while (!zone.empty() && zone.front() == ' ') zone.remove_prefix(1);
    if (zone.empty() || zone == "UTC" || zone == "Z")
      iso += 'Z';
    else if (zone.size() == 5 && (zone[0] == '+' || zone[0] == '-'))
      iso += std::string(zone.substr(0, 3)) + ":" + std::string(zone.substr(3));
    else
      return std::nullopt;
    if (auto micros = core::parseTimestamp(iso)) return *micros / 1'000'000;
  }
  return std::nullopt;
}

}  // namespace forgehook::model
