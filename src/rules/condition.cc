#include "rules/condition.h"

#include <re2/re2.h>

#include <algorithm>

#include "core/json_pointer.h"

namespace forgehook::rules {
namespace {

// A payload value quoted for a reason, cut short: a reason is a line, not a copy of the payload.
std::string shown(const std::string& value) {
  constexpr std::size_t kMax = 80;
  std::string out = "\"";
  out.append(value, 0, std::min(value.size(), kMax));
  out.append(value.size() > kMax ? "...\"" : "\"");
  return out;
}

}  // namespace

std::expected<Condition, std::string> Condition::compile(const core::RuleCondition& config) {
  Condition out;
  out.config_ = config;
  auto tokens = core::parseJsonPointer(config.pointer);
  if (!tokens) return std::unexpected("bad JSON Pointer \"" + config.pointer + "\"");
  out.tokens_ = std::move(*tokens);
  if (config.matches) {
    RE2::Options options;
    options.set_log_errors(false);
    auto regex = std::make_shared<const RE2>(*config.matches, options);
    if (!regex->ok()) return std::unexpected("bad regular expression \"" + *config.matches + "\": " + regex->error());
    out.regex_ = std::move(regex);
  }
  return out;
}

std::string Condition::failure(const Payload& payload) const {
  const auto value = payload.text(tokens_);
  if (!value) return config_.pointer + " is not in the payload";
  if (config_.equals) {
    if (*value == *config_.equals) return {};
    return config_.pointer + " is " + shown(*value) + ", not " + shown(*config_.equals);
  }
  if (regex_) {
    if (RE2::PartialMatch(*value, *regex_)) return {};
    return config_.pointer + " " + shown(*value) + " does not match " + shown(*config_.matches);
  }
  if (std::find(config_.in.begin(), config_.in.end(), *value) != config_.in.end()) return {};
  return config_.pointer + " " + shown(*value) + " is not one of the `in` values";
}

}  // namespace forgehook::rules
