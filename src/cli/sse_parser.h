#pragma once
// Server-Sent Events (text/event-stream) read incrementally: bytes go in as they arrive, split
// anywhere, and each complete event comes out. Comments (": ping") and unknown fields are skipped.
// Not thread-safe.
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace forgehook::cli {

struct SseEvent {
  std::string type = "message";   // the `event:` field
  std::optional<std::string> id;  // the `id:` field, when the event has one
  std::string data;               // the `data:` lines, joined with "\n"
};

class SseParser {
 public:
  using Handler = std::function<void(const SseEvent&)>;

  // Parses `bytes` (the next piece of the stream) and calls onEvent for each event it completes.
  void feed(std::string_view bytes, const Handler& onEvent);
  // Forgets a partly received event (a new connection starts afresh).
  void reset();

 private:
  void line(std::string_view text, const Handler& onEvent);

  std::string line_;
  bool afterCr_ = false;  // the last byte was \r: a \n right after it ends no second line
  SseEvent event_;
  bool hasData_ = false;
};

}  // namespace forgehook::cli
