#pragma once
// A forgiving read-only view over a parsed payload: a missing key or a wrong type reads as empty,
// because forges omit fields freely and one absent field must not fail a whole delivery. Internal
// to model/ (it carries simdjson, which stays out of widely included headers).
#include <simdjson.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace forgehook::model {

class JsonView {
 public:
  JsonView() = default;
  explicit JsonView(simdjson::dom::element element) : element_(element), present_(true) {}

  [[nodiscard]] JsonView operator[](std::string_view key) const;
  [[nodiscard]] bool exists() const { return present_ && !element_.is_null(); }
  // Text of a string; a number as its decimal text; "" otherwise.
  [[nodiscard]] std::string str() const;
  [[nodiscard]] std::optional<std::int64_t> integer() const;
  [[nodiscard]] std::optional<bool> boolean() const;
  [[nodiscard]] bool isTrue() const { return boolean().value_or(false); }
  // Unix seconds from RFC 3339 text, GitLab's "2024-01-02 03:04:05 UTC", or a number of seconds.
  [[nodiscard]] std::optional<std::int64_t> time() const;
  [[nodiscard]] std::vector<JsonView> array() const;

 private:
  simdjson::dom::element element_;
  bool present_ = false;
};

// Unix seconds from the forms of time text forges send; nothing when unreadable.
[[nodiscard]] std::optional<std::int64_t> parseForgeTime(std::string_view text);

}  // namespace forgehook::model
