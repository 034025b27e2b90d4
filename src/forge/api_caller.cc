#include "forge/api_caller.h"

#include <algorithm>
#include <cctype>

#include "forge/error_mapping.h"
#include "forge/forge_errors.h"

namespace forgehook::forge {
namespace {

bool isCredentialHeader(std::string name) {
  std::ranges::transform(name, name.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return name == "authorization" || name == "private-token";
}

// Removes every credential value of `request` from `text`, and each value's last word (the token
// without "Bearer "), should a forge or a transport ever echo one.
void scrubCredentials(std::string& text, const HttpRequest& request) {
  for (const auto& [name, value] : request.headers) {
    if (!isCredentialHeader(name)) continue;
    for (const std::string& secret : {value, value.substr(value.rfind(' ') + 1)}) {
      if (secret.size() < 4) continue;
      for (auto at = text.find(secret); at != std::string::npos; at = text.find(secret, at))
        text.replace(at, secret.size(), "[redacted]");
    }
  }
}

bool isSuccess(int status) { return (status >= 200 && status < 300) || status == 304; }

}  // namespace

ApiCaller::ApiCaller(core::Forge forge, std::shared_ptr<ForgeHttp> http, const core::Clock& clock,
                     ClientOptions options)
    : forge_(forge), http_(std::move(http)), clock_(clock), options_(std::move(options)),
      random_(std::random_device{}()) {
  if (!options_.sleeper) options_.sleeper = realSleeper();
  options_.maxAttempts = std::max(options_.maxAttempts, 1);
}

std::int64_t ApiCaller::backoffMs(int attempt) {
  std::int64_t base = options_.initialBackoffMs;
  for (int i = 1; i < attempt && base < options_.maxBackoffMs; ++i) base *= 2;
  base = std::min(base, options_.maxBackoffMs);
  std::lock_guard lock(randomMutex_);
  std::uniform_int_distribution<std::int64_t> jitter(0, base / 2);
  return base - jitter(random_);
}

core::Result<HttpResponse> ApiCaller::send(const HttpRequest& request, RateBudget& budget) {
  const std::int64_t startMicros = clock_.nowMicros();
  core::Error last;
  for (int attempt = 1;; ++attempt) {
    if (auto ready = budget.acquire(options_.maxRateLimitWaitMs); !ready) return std::unexpected(ready.error());
    auto answer = http_->send(request);
    bool backOff = true;
    if (!answer) {
      last = answer.error();
      last.reason = "forge_unavailable";
      last.code = core::Code::Unavailable;
    } else {
      const RateAnswer rate = budget.record(*answer);
      if (isSuccess(answer->status)) return answer;
      last = errorFromAnswer(forge_, request, *answer);
      if (rate != RateAnswer::Ok) {
        // The budget now knows when to go on: the next acquire() waits for it, or fails fast.
        backOff = false;
        const auto seconds = static_cast<int>((budget.waitMs() + 999) / 1000);
        last = forgeRateLimited(last.message, std::max(seconds, 1));
      } else if (answer->status < 500) {
        scrubCredentials(last.message, request);
        return std::unexpected(std::move(last));
      }
    }
    scrubCredentials(last.message, request);
    if (attempt >= options_.maxAttempts) return std::unexpected(std::move(last));
    if (backOff) {
      const std::int64_t delay = backoffMs(attempt);
      const std::int64_t elapsedMs = (clock_.nowMicros() - startMicros) / 1000;
      if (elapsedMs + delay > options_.maxRetryTotalMs) return std::unexpected(std::move(last));
      options_.sleeper(delay);
    }
  }
}

core::Result<HttpResponse> ApiCaller::sendAs(Authorizer& authorizer, const HookTarget& target, HttpRequest request) {
  const std::size_t plainHeaders = request.headers.size();
  for (int round = 0;; ++round) {
    auto authorization = authorizer.authorize(target);
    if (!authorization) return std::unexpected(authorization.error());
    request.headers.resize(plainHeaders);
    request.headers.insert(request.headers.end(), authorization->headers.begin(), authorization->headers.end());
    auto answer = send(request, *authorization->budget);
    if (answer || answer.error().code != core::Code::Unauthenticated || !authorization->refreshable || round > 0)
      return answer;
    authorizer.invalidate(target);
  }
}

}  // namespace forgehook::forge
