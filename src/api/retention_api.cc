#include "api/retention_api.h"

#include <nlohmann/json.hpp>
#include <chrono>
#include <thread>

#include "api/json_body.h"
#include "api/json_reply.h"
#include "api/query_params.h"

namespace forgehook::api {
namespace {

using nlohmann::json;

// The same small transactions as housekeeping's (app/housekeeping.h), with a pause between two so
// deliveries arriving meanwhile never wait long for the writer.
constexpr int kRowsPerTransaction = 500;
constexpr std::chrono::milliseconds kPause{5};
constexpr std::int64_t kDayMicros = 86'400LL * 1'000'000;

}  // namespace

http::Response RetentionApi::prune(const http::Request& request) const {
  auto body = jsonBody(request, true);
  if (!body) return http::errorResponse(body.error());
  if (auto ok = onlyFields(*body, {"dry_run", "older_than_days"}); !ok) return http::errorResponse(ok.error());
  bool dryRun = false;
  if (body->contains("dry_run")) {
    if (!(*body)["dry_run"].is_boolean()) return http::errorResponse(invalidArgument("dry_run must be true or false"));
    dryRun = (*body)["dry_run"].get<bool>();
  }
  std::int64_t days = defaultDays_;
  if (body->contains("older_than_days")) {
    const auto& given = (*body)["older_than_days"];
    if (!given.is_number_integer() || given.get<std::int64_t>() < 0 || given.get<std::int64_t>() > 36500)
      return http::errorResponse(invalidArgument("older_than_days must be a whole number of days, 0 to 36500"));
    days = given.get<std::int64_t>();
  } else if (days == 0) {
    // Without a retention, "prune" names no age: ask for one rather than prune every body.
    return http::errorResponse(
        invalidArgument("give older_than_days (forgehook prune --older-than DAYS): store.retention_days is 0 "
                        "(bodies are kept forever)"));
  }
  const auto now = clock_.nowMicros();
  const auto cutoff = now - days * kDayMicros;
  auto outcome = dryRun ? bodies_.measurePrunable(cutoff)
                        : bodies_.pruneBodies(cutoff, now, kRowsPerTransaction, [] {
                            std::this_thread::sleep_for(kPause);
                            return true;
                          });
  if (!outcome) return http::errorResponse(outcome.error());
  return jsonReply(json{{"dry_run", dryRun},
                        {"older_than_days", days},
                        {"cutoff", core::formatRfc3339(cutoff)},
                        {"deliveries", outcome->deliveries},
                        {"bytes", outcome->bytes}});
}

}  // namespace forgehook::api
