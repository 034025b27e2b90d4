// The query API's parameters (api/query_params) on any query string: the strict check of what each
// list endpoint accepts, then reading it into a store query. Input: the query string, after '?'.
// Whatever is accepted must be a query the store can run as documented.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "api/query_params.h"
#include "fuzz/fuzz_check.h"
#include "store/resources.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace forgehook;
  using fuzz::check;
  http::Request request;
  request.method = "GET";
  request.query.assign(reinterpret_cast<const char*>(data), size);
  constexpr std::int64_t kNow = 1'700'000'000;

  for (const auto& spec : store::resourceSpecs()) {
    request.path = "/api/v1/" + std::string(spec.name);
    const auto params = api::listParams(spec);
    if (!api::checkParams(request, params)) continue;
    const auto query = api::resourceQueryFrom(request, spec, kNow);
    if (!query) {
      check(query.error().reason == "invalid_argument", "a bad parameter is invalid_argument");
      continue;
    }
    check(query->resource == spec.resource, "the query is of the endpoint's resource");
    check(query->limit >= 1 && query->limit <= 500, "limit is between 1 and 500");
    check(!query->number || *query->number >= 1, "number is positive");
    check(!query->forge || api::isKnownForge(*query->forge), "forge is a known forge");
    check(!query->since || !query->until || *query->since <= *query->until, "since is not after until");
    check(std::none_of(query->kinds.begin(), query->kinds.end(), [](const auto& k) { return k.empty(); }),
          "no kind is empty");
    check(!query->state || std::find(spec.states.begin(), spec.states.end(), *query->state) != spec.states.end(),
          "state is one of the resource's states");
  }
  return 0;
}
