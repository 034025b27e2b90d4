#include "cli/sse_parser.h"

namespace forgehook::cli {

void SseParser::reset() {
  line_.clear();
  afterCr_ = false;
  event_ = {};
  hasData_ = false;
}

void SseParser::feed(std::string_view bytes, const Handler& onEvent) {
  for (char c : bytes) {
    if (c == '\n' && afterCr_) {
      afterCr_ = false;
      continue;
    }
    afterCr_ = c == '\r';
    if (c == '\n' || c == '\r') {
      line(line_, onEvent);
      line_.clear();
    } else {
      line_ += c;
    }
  }
}

void SseParser::line(std::string_view text, const Handler& onEvent) {
  if (text.empty()) {
    // An event without data is not dispatched (the SSE specification's rule).
    if (hasData_) onEvent(event_);
    event_ = {};
    hasData_ = false;
    return;
  }
  if (text.front() == ':') return;  // a comment: the server's heartbeat
  const auto colon = text.find(':');
  const std::string_view field = text.substr(0, colon);
  std::string_view value = colon == std::string_view::npos ? std::string_view{} : text.substr(colon + 1);
  if (value.starts_with(' ')) value.remove_prefix(1);
  if (field == "data") {
    if (hasData_) event_.data += '\n';
    event_.data += value;
    hasData_ = true;
  } else if (field == "event") {
    event_.type = value;
  } else if (field == "id") {
    event_.id = std::string(value);
  }
}

}  // namespace forgehook::cli
