#pragma once
// A delivery's body parsed once for matching: values looked up by JSON Pointer tokens. simdjson stays
// in payload.cc. Not thread-safe (one per match call); read-only after construction.
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace forgehook::rules {

class Payload {
 public:
  // Parses `body`; a body that is not JSON gives a Payload where isJson() is false and every lookup
  // finds nothing.
  explicit Payload(std::string_view body);
  ~Payload();
  Payload(const Payload&) = delete;
  Payload& operator=(const Payload&) = delete;

  [[nodiscard]] bool isJson() const;
  // The value at the pointer's tokens as text: a string as-is, anything else as compact JSON (numbers,
  // true/false, null, objects, arrays). Nothing when the path is not in the payload.
  [[nodiscard]] std::optional<std::string> text(const std::vector<std::string>& tokens) const;
  // Convenience for fixed paths written as a pointer, e.g. "/pull_request/base/ref".
  [[nodiscard]] std::optional<std::string> text(std::string_view pointer) const;

 private:
  struct Parsed;
  std::unique_ptr<Parsed> parsed_;
};

}  // namespace forgehook::rules
