#include "verify/standard_webhooks.h"

#include <algorithm>
#include <charconv>
#include <optional>
#include <vector>

namespace forgehook::verify {
namespace {

constexpr std::string_view kKeyPrefix = "whsec_";
constexpr std::string_view kVersionPrefix = "v1,";

// The raw HMAC key behind "whsec_<base64>", or nothing when the key is malformed or empty.
std::optional<std::string> decodeKey(std::string_view key) {
  if (!key.starts_with(kKeyPrefix)) return std::nullopt;
  std::string raw;
  if (!base64Decode(key.substr(kKeyPrefix.size()), raw) || raw.empty()) return std::nullopt;
  return raw;
}

// Digits only: from_chars alone would accept a leading '-'.
std::optional<std::int64_t> parseTimestamp(std::string_view text) {
  if (!std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; })) return std::nullopt;
  std::int64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

bool isStale(std::int64_t timestamp, std::int64_t now, std::int64_t tolerance) {
  // Unsigned arithmetic gives |now - timestamp| without signed overflow at the extremes.
  const auto distance = timestamp > now ? static_cast<std::uint64_t>(timestamp) - static_cast<std::uint64_t>(now)
                                        : static_cast<std::uint64_t>(now) - static_cast<std::uint64_t>(timestamp);
  return distance > static_cast<std::uint64_t>(std::max<std::int64_t>(tolerance, 0));
}

std::string signedContent(std::string_view id, std::string_view timestamp, std::string_view body) {
  std::string content;
  content.reserve(id.size() + timestamp.size() + body.size() + 2);
  content.append(id).append(".").append(timestamp).append(".").append(body);
  return content;
}

// The base64 MACs of the "v1," entries; entries of other versions are not ours to check.
std::vector<std::string_view> v1Signatures(std::string_view header) {
  std::vector<std::string_view> out;
  while (!header.empty()) {
    const std::size_t space = header.find(' ');
    const std::string_view entry = header.substr(0, space);
    if (entry.starts_with(kVersionPrefix) && entry.size() > kVersionPrefix.size())
      out.push_back(entry.substr(kVersionPrefix.size()));
    header = space == std::string_view::npos ? std::string_view() : header.substr(space + 1);
  }
  return out;
}

}  // namespace

Outcome verifyStandardWebhook(std::string_view webhookId, std::string_view webhookTimestamp,
                              std::string_view webhookSignature, std::string_view rawBody,
                              std::span<const std::string> keys, std::int64_t nowSeconds, std::int64_t toleranceSeconds,
                              EqualsFn equals) {
  if (webhookId.empty() || webhookTimestamp.empty() || webhookSignature.empty())
    return std::unexpected(Failure::Missing);
  const std::optional<std::int64_t> timestamp = parseTimestamp(webhookTimestamp);
  if (!timestamp) return std::unexpected(Failure::Malformed);
  if (isStale(*timestamp, nowSeconds, toleranceSeconds)) return std::unexpected(Failure::Stale);

  // Every key is decoded before any is tried, so a bad key fails loudly whatever its position.
  std::vector<std::string> rawKeys;
  rawKeys.reserve(keys.size());
  for (const std::string& key : keys) {
    std::optional<std::string> raw = decodeKey(key);
    if (!raw) return std::unexpected(Failure::Malformed);
    rawKeys.push_back(std::move(*raw));
  }

  const std::vector<std::string_view> received = v1Signatures(webhookSignature);
  const std::string content = signedContent(webhookId, webhookTimestamp, rawBody);
  for (std::size_t i = 0; i < rawKeys.size(); ++i) {
    const std::string expected = base64Encode(hmacSha256Raw(rawKeys[i], content));
    for (const std::string_view signature : received) {
      if (equals(signature, expected)) return Match{"standard-webhooks", i};
    }
  }
  return std::unexpected(Failure::Mismatch);
}

std::string signStandardWebhook(std::string_view key, std::string_view webhookId, std::string_view webhookTimestamp,
                                std::string_view rawBody) {
  const std::optional<std::string> raw = decodeKey(key);
  if (!raw) return {};
  return std::string(kVersionPrefix) +
         base64Encode(hmacSha256Raw(*raw, signedContent(webhookId, webhookTimestamp, rawBody)));
}

}  // namespace forgehook::verify
