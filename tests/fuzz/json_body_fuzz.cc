// The admin API's JSON bodies (api/json_body) on any bytes: the body as an object, the unknown-field
// check and optional string members, as the handlers read them. Input: the request body.
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "api/json_body.h"
#include "fuzz/fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace forgehook;
  using fuzz::check;
  http::Request request;
  request.method = "POST";
  request.body.assign(reinterpret_cast<const char*>(data), size);

  for (const bool emptyAllowed : {false, true}) {
    const auto body = api::jsonBody(request, emptyAllowed);
    if (!body) {
      check(body.error().reason == "malformed_json", "an unreadable body is malformed_json");
      continue;
    }
    check(body->is_object(), "a body is read as a JSON object");
    // A subscription's fields (POST /api/v1/subscriptions), the widest body the API takes.
    const auto known =
        api::onlyFields(*body, {"url", "resources", "actions", "repository", "forge", "secret", "description"});
    check(known || known.error().reason == "invalid_argument", "an unknown field is invalid_argument");
    for (const auto* name : {"url", "repository", "forge", "secret", "description"}) {
      const auto value = api::optionalString(*body, name);
      check(value.has_value() == (!body->contains(name) || (*body)[name].is_null() || (*body)[name].is_string()),
            "optionalString reads exactly absent, null and string members");
    }
    // Handlers store and echo what they read: an accepted body must serialize again.
    check(nlohmann::json::parse(body->dump(), nullptr, false) == *body, "an accepted body serializes and reads back");
  }
  return 0;
}
