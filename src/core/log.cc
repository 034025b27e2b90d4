#include "core/log.h"

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <stdexcept>

#include "core/json_text.h"
#include "core/time.h"

namespace forgehook::core {

LogField::LogField(std::string_view k, double v) : key(k), number(true) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f", v);
  value = buf;
}

void Logger::log(LogLevel level, std::string_view message, std::span<const LogField> fields) const {
  if (!enabled(level)) return;
  static constexpr const char* kNames[] = {"debug", "info", "warn", "error"};
  std::string line;
  line.reserve(256);
  line += "{\"ts\":";
  appendJsonString(line, formatRfc3339(SystemClock{}.nowMicros()));
  line += ",\"level\":\"";
  line += kNames[static_cast<int>(level)];
  line += "\",\"msg\":";
  appendJsonString(line, message);
  for (const auto& f : fields) {
    line += ',';
    appendJsonString(line, f.key);
    line += ':';
    if (f.number)
      line += f.value;
    else
      appendJsonString(line, f.value);
  }
  line += "}\n";
  // One write per line keeps lines whole when threads log at once.
  [[maybe_unused]] auto n = ::write(fd_, line.data(), line.size());
}

LogLevel parseLogLevel(std::string_view text) {
  if (text == "debug") return LogLevel::Debug;
  if (text == "info") return LogLevel::Info;
  if (text == "warn") return LogLevel::Warn;
  if (text == "error") return LogLevel::Error;
  throw std::invalid_argument("log.level must be debug, info, warn or error");
}

}  // namespace forgehook::core
