#pragma once
// Sends one forge API request the patient way: waits on the credential's rate budget, retries 5xx,
// timeouts, refused connections and rate-limit answers with bounded exponential backoff and jitter,
// never retries other 4xx, and maps refusals to forge_client.h's errors. Credentials stay in request
// headers and are scrubbed from any error text. Thread-safe.
#include <cstdint>
#include <memory>
#include <mutex>
#include <random>

#include "core/error.h"
#include "core/forge.h"
#include "core/time.h"
#include "forge/authorizer.h"
#include "forge/client_options.h"
#include "forge/forge_http.h"
#include "forge/rate_budget.h"

namespace forgehook::forge {

class ApiCaller {
 public:
  // Requires: `http` non-null; `clock` outlives the caller.
  ApiCaller(core::Forge forge, std::shared_ptr<ForgeHttp> http, const core::Clock& clock, ClientOptions options);

  // `request` as given (credentials already in its headers), spending `budget`. Returns the answer
  // when it is 2xx or 304; otherwise the mapped error (see forge_client.h).
  [[nodiscard]] core::Result<HttpResponse> send(const HttpRequest& request, RateBudget& budget);

  // `request` made as `authorizer` authorises `target`; a 401 with a refreshable credential drops
  // it and tries once more with a fresh one (an App token that expired mid-run).
  [[nodiscard]] core::Result<HttpResponse> sendAs(Authorizer& authorizer, const HookTarget& target,
                                                  HttpRequest request);

  [[nodiscard]] const ClientOptions& options() const { return options_; }

 private:
  // The wait before attempt `attempt + 1`: exponential, capped, minus up to half as jitter.
  [[nodiscard]] std::int64_t backoffMs(int attempt);

  core::Forge forge_;
  std::shared_ptr<ForgeHttp> http_;
  const core::Clock& clock_;
  ClientOptions options_;
  std::mutex randomMutex_;
  std::minstd_rand random_;
};

}  // namespace forgehook::forge
