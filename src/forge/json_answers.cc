#include "forge/json_answers.h"

#include "forge/forge_errors.h"

namespace forgehook::forge {

core::Result<JsonAnswers::json> JsonAnswers::object(const HttpResponse& answer) const {
  return parsed(answer, &json::is_object);
}

core::Result<JsonAnswers::json> JsonAnswers::array(const HttpResponse& answer) const {
  return parsed(answer, &json::is_array);
}

core::Result<JsonAnswers::json> JsonAnswers::parsed(const HttpResponse& answer,
                                                    bool (json::*shape)() const noexcept) const {
  auto body = json::parse(answer.body, nullptr, false);
  if (body.is_discarded() || !(body.*shape)()) {
    std::string message(forgeTitle_);
    message.append(" answered with a body that is not the expected JSON");
    return std::unexpected(forgeUnavailable(std::move(message)));
  }
  return body;
}

}  // namespace forgehook::forge
