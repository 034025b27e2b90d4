#include "forge/rate_budget.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <optional>

#include "forge/forge_errors.h"

namespace forgehook::forge {
namespace {

constexpr std::int64_t kSecondaryMinimumSeconds = 60;
constexpr std::int64_t kSecondaryMaximumSeconds = 15 * 60;
// A caller that found the budget spent waits, then looks again; a few looks bound the loop even if
// the clock and the sleeper disagree.
constexpr int kMaxWaitRounds = 3;

std::optional<std::int64_t> integerHeader(const HttpResponse& response, std::string_view name) {
  const auto text = response.header(name);
  if (!text) return std::nullopt;
  std::int64_t value = 0;
  const auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), value);
  if (ec != std::errc() || end != text->data() + text->size()) return std::nullopt;
  return value;
}

// GitHub sends x-ratelimit-*, GitLab RateLimit-*; either names the same numbers.
std::optional<std::int64_t> rateHeader(const HttpResponse& response, std::string_view suffix) {
  std::string github = "x-ratelimit-";
  github.append(suffix);
  if (auto value = integerHeader(response, github)) return value;
  std::string gitlab = "ratelimit-";
  gitlab.append(suffix);
  return integerHeader(response, gitlab);
}

bool mentionsSecondaryLimit(const std::string& body) {
  std::string lower = body.substr(0, 4096);
  std::ranges::transform(lower, lower.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return lower.find("secondary rate limit") != std::string::npos;
}

}  // namespace

RateBudget::RateBudget(std::string forge, std::string credential, const core::Clock& clock, Sleeper sleeper)
    : clock_(clock), sleeper_(std::move(sleeper)) {
  view_.forge = std::move(forge);
  view_.credential = std::move(credential);
}

std::int64_t RateBudget::waitMsLocked() const {
  const std::int64_t now = clock_.nowMicros();
  std::int64_t until = blockedUntilMicros_;
  if (view_.remaining == 0 && view_.resetAt * 1'000'000 > now) until = std::max(until, view_.resetAt * 1'000'000);
  return until > now ? (until - now + 999) / 1000 : 0;
}

core::Result<void> RateBudget::acquire(std::int64_t maxWaitMs) {
  for (int round = 0;; ++round) {
    std::int64_t waitMs = 0;
    {
      std::lock_guard lock(mutex_);
      waitMs = round < kMaxWaitRounds ? waitMsLocked() : 0;
      if (waitMs == 0) {
        ++view_.calls;
        return {};
      }
      if (waitMs > maxWaitMs) {
        const int seconds = static_cast<int>((waitMs + 999) / 1000);
        std::string message = view_.forge;
        message.append(" rate limit of ")
            .append(view_.credential)
            .append(" is spent; it frees up in ")
            .append(std::to_string(seconds))
            .append(" s, longer than this request may wait");
        return std::unexpected(forgeRateLimited(std::move(message), seconds));
      }
      view_.waitedMs += waitMs;
    }
    sleeper_(waitMs);
  }
}

RateAnswer RateBudget::record(const HttpResponse& response) {
  std::lock_guard lock(mutex_);
  if (auto v = rateHeader(response, "limit")) view_.limit = *v;
  if (auto v = rateHeader(response, "remaining")) view_.remaining = *v;
  if (auto v = rateHeader(response, "used")) view_.used = *v;
  if (auto v = rateHeader(response, "reset")) view_.resetAt = *v;
  if (response.status != 403 && response.status != 429) {
    if (response.status >= 200 && response.status < 400) consecutiveSecondary_ = 0;
    return RateAnswer::Ok;
  }
  const auto retryAfter = integerHeader(response, "retry-after");
  const bool primary = !retryAfter && view_.remaining == 0 && rateHeader(response, "remaining").has_value();
  if (primary) return RateAnswer::PrimaryLimit;
  if (!retryAfter && response.status == 403 && !mentionsSecondaryLimit(response.body)) return RateAnswer::Ok;
  // A secondary limit: honour retry-after, else wait at least a minute, doubling while they repeat.
  ++consecutiveSecondary_;
  ++view_.secondaryLimits;
  std::int64_t seconds = kSecondaryMinimumSeconds << std::min(consecutiveSecondary_ - 1, 4);
  if (retryAfter) seconds = std::max<std::int64_t>(*retryAfter, 1);
  seconds = std::min(seconds, kSecondaryMaximumSeconds);
  blockedUntilMicros_ = std::max(blockedUntilMicros_, clock_.nowMicros() + seconds * 1'000'000);
  return RateAnswer::SecondaryLimit;
}

std::int64_t RateBudget::waitMs() const {
  std::lock_guard lock(mutex_);
  return waitMsLocked();
}

RateBudgetView RateBudget::view() const {
  std::lock_guard lock(mutex_);
  return view_;
}

}  // namespace forgehook::forge
