#pragma once
// Structured logging: one JSON object per line on stderr. Thread-safe: each line is written with
// a single write(2). Secrets never reach it: callers pass only sanitized values, and no function here
// takes a header map or a body.
#include <cstdint>
#include <initializer_list>
#include <span>
#include <string>
#include <string_view>

namespace forgehook::core {

enum class LogLevel { Debug = 0, Info = 1, Warn = 2, Error = 3 };

// One key/value of a log line; numbers are written unquoted.
struct LogField {
  LogField(std::string_view k, std::string_view v) : key(k), value(v) {}
  LogField(std::string_view k, const char* v) : key(k), value(v ? v : "") {}
  LogField(std::string_view k, const std::string& v) : key(k), value(v) {}
  LogField(std::string_view k, std::int64_t v) : key(k), value(std::to_string(v)), number(true) {}
  LogField(std::string_view k, int v) : key(k), value(std::to_string(v)), number(true) {}
  LogField(std::string_view k, double v);
  std::string_view key;
  std::string value;
  bool number = false;
};

class Logger {
 public:
  explicit Logger(LogLevel level, int fd = 2) : level_(level), fd_(fd) {}
  [[nodiscard]] bool enabled(LogLevel level) const { return level >= level_; }
  void log(LogLevel level, std::string_view message, std::initializer_list<LogField> fields = {}) const {
    log(level, message, std::span<const LogField>(fields.begin(), fields.size()));
  }
  // For lines whose fields are assembled at run time.
  void log(LogLevel level, std::string_view message, std::span<const LogField> fields) const;
  void debug(std::string_view m, std::initializer_list<LogField> f = {}) const { log(LogLevel::Debug, m, f); }
  void info(std::string_view m, std::initializer_list<LogField> f = {}) const { log(LogLevel::Info, m, f); }
  void warn(std::string_view m, std::initializer_list<LogField> f = {}) const { log(LogLevel::Warn, m, f); }
  void error(std::string_view m, std::initializer_list<LogField> f = {}) const { log(LogLevel::Error, m, f); }

 private:
  LogLevel level_;
  int fd_;
};

// "debug" | "info" | "warn" | "error"; throws std::invalid_argument otherwise.
[[nodiscard]] LogLevel parseLogLevel(std::string_view text);

}  // namespace forgehook::core
