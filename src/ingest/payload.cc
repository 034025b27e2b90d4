#include "ingest/payload.h"

#include <simdjson.h>

#include "http/request.h"

namespace forgehook::ingest {
namespace {

constexpr std::size_t kReusedParserLimit = 1 << 20;

std::string stringAt(simdjson::dom::element doc, std::initializer_list<std::string_view> path) {
  simdjson::dom::element e = doc;
  for (auto key : path) {
    if (e.at_key(key).get(e) != simdjson::SUCCESS) return {};
  }
  std::string_view text;
  if (e.get(text) != simdjson::SUCCESS) return {};
  return std::string(text);
}

core::Result<PayloadFacts> inspectWith(simdjson::dom::parser& parser, std::string_view json, PayloadShape shape) {
  simdjson::dom::element doc;
  if (auto err = parser.parse(json.data(), json.size()).get(doc); err)
    return std::unexpected(core::Error::invalidArgument(
        "malformed_json", std::string("body is not valid JSON: ") + simdjson::error_message(err)));
  if (!doc.is_object())
    return std::unexpected(core::Error::invalidArgument("malformed_json", "body must be a JSON object"));
  PayloadFacts facts;
  if (shape == PayloadShape::GitLab) {
    facts.action = stringAt(doc, {"object_attributes", "action"});
    facts.repository = stringAt(doc, {"project", "path_with_namespace"});
    facts.sender = stringAt(doc, {"user_username"});
    if (facts.sender.empty()) facts.sender = stringAt(doc, {"user", "username"});
  } else {
    facts.action = stringAt(doc, {"action"});
    facts.repository = stringAt(doc, {"repository", "full_name"});
    facts.sender = stringAt(doc, {"sender", "login"});
  }
  return facts;
}

}  // namespace

core::Result<PayloadFacts> inspectPayload(std::string_view json, PayloadShape shape) {
  // A parser keeps its buffers for reuse; a rare huge body gets its own so the thread keeps only small ones.
  if (json.size() > kReusedParserLimit) {
    simdjson::dom::parser oneOff;
    return inspectWith(oneOff, json, shape);
  }
  thread_local simdjson::dom::parser parser;
  return inspectWith(parser, json, shape);
}

}  // namespace forgehook::ingest
