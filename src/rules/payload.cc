#include "rules/payload.h"

#include <simdjson.h>

#include <charconv>

#include "core/json_pointer.h"

namespace forgehook::rules {

struct Payload::Parsed {
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  bool ok = false;
};

Payload::Payload(std::string_view body) : parsed_(std::make_unique<Parsed>()) {
  parsed_->ok = parsed_->parser.parse(body.data(), body.size()).get(parsed_->root) == simdjson::SUCCESS;
}

Payload::~Payload() = default;

bool Payload::isJson() const { return parsed_->ok; }

std::optional<std::string> Payload::text(const std::vector<std::string>& tokens) const {
  if (!parsed_->ok) return std::nullopt;
  simdjson::dom::element at = parsed_->root;
  for (const auto& token : tokens) {
    simdjson::dom::element next;
    if (at.is_object()) {
      if (at.get_object().at_key(token).get(next) != simdjson::SUCCESS) return std::nullopt;
    } else if (at.is_array()) {
      // RFC 6901: an index is "0" or digits without a leading zero.
      std::size_t index = 0;
      const auto [end, ec] = std::from_chars(token.data(), token.data() + token.size(), index);
      if (token.empty() || ec != std::errc{} || end != token.data() + token.size() ||
          (token.size() > 1 && token.front() == '0'))
        return std::nullopt;
      if (at.get_array().at(index).get(next) != simdjson::SUCCESS) return std::nullopt;
    } else {
      return std::nullopt;
    }
    at = next;
  }
  if (at.is_string()) return std::string(at.get_string().value_unsafe());
  return simdjson::minify(at);
}

std::optional<std::string> Payload::text(std::string_view pointer) const {
  const auto tokens = core::parseJsonPointer(pointer);
  return tokens ? text(*tokens) : std::nullopt;
}

}  // namespace forgehook::rules
