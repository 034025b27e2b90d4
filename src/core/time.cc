#include "core/time.h"

#include <charconv>
#include <chrono>
#include <cstdio>
#include <limits>

namespace forgehook::core {

std::int64_t SystemClock::nowMicros() const {
  using namespace std::chrono;
  return duration_cast<microseconds>(system_clock::now().time_since_epoch()).count();
}

std::string formatRfc3339Seconds(std::int64_t unixSeconds) {
  auto text = formatRfc3339(unixSeconds * 1'000'000);
  text.resize(text.find('.'));  // drop the zero fraction
  text.push_back('Z');
  return text;
}

std::string formatRfc3339(std::int64_t unixMicros) {
  using namespace std::chrono;
  const sys_time<microseconds> tp{microseconds{unixMicros}};
  const auto day = floor<days>(tp);
  const year_month_day ymd{day};
  const hh_mm_ss hms{tp - day};
  char buf[40];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02ld:%02ld:%02ld.%06ldZ", int(ymd.year()), unsigned(ymd.month()),
                unsigned(ymd.day()), long(hms.hours().count()), long(hms.minutes().count()),
                long(hms.seconds().count()), long(hms.subseconds().count()));
  return buf;
}

namespace {

// Exactly `digits` decimal digits: from_chars alone would also take a sign.
bool readInt(std::string_view& s, std::size_t digits, int& out) {
  if (s.size() < digits) return false;
  out = 0;
  for (std::size_t i = 0; i < digits; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    out = out * 10 + (s[i] - '0');
  }
  s.remove_prefix(digits);
  return true;
}

constexpr std::int64_t kMaxSeconds = std::numeric_limits<std::int64_t>::max() / 1'000'000 - 1;

bool expect(std::string_view& s, char c) {
  if (s.empty() || (s.front() != c && !(c == 'T' && (s.front() == 't' || s.front() == ' ')))) return false;
  s.remove_prefix(1);
  return true;
}

}  // namespace

std::optional<std::int64_t> parseTimestamp(std::string_view text) {
  if (text.empty()) return std::nullopt;
  std::int64_t seconds = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), seconds);
  if (ec == std::errc{} && p == text.data() + text.size()) {
    if (seconds > kMaxSeconds || seconds < -kMaxSeconds) return std::nullopt;
    return seconds * 1'000'000;
  }

  using namespace std::chrono;
  std::string_view s = text;
  int y, mo, d, h, mi, sec;
  if (!readInt(s, 4, y) || !expect(s, '-') || !readInt(s, 2, mo) || !expect(s, '-') || !readInt(s, 2, d) ||
      !expect(s, 'T') || !readInt(s, 2, h) || !expect(s, ':') || !readInt(s, 2, mi) || !expect(s, ':') ||
      !readInt(s, 2, sec))
    return std::nullopt;
  const year_month_day ymd{year{y}, month{unsigned(mo)}, day{unsigned(d)}};
  if (!ymd.ok() || h > 23 || mi > 59 || sec > 60) return std::nullopt;
  std::int64_t micros = 0;
  if (!s.empty() && s.front() == '.') {
    s.remove_prefix(1);
    int digits = 0;
    while (!s.empty() && s.front() >= '0' && s.front() <= '9') {
      if (digits < 6) micros = micros * 10 + (s.front() - '0');
      ++digits;
      s.remove_prefix(1);
    }
    if (digits == 0) return std::nullopt;
    for (int i = digits; i < 6; ++i) micros *= 10;
  }
  std::int64_t offset = 0;
  if (s == "Z" || s == "z") {
    s = {};
  } else if (!s.empty() && (s.front() == '+' || s.front() == '-')) {
    const int sign = s.front() == '+' ? 1 : -1;
    s.remove_prefix(1);
    int oh, om;
    if (!readInt(s, 2, oh) || !expect(s, ':') || !readInt(s, 2, om) || !s.empty() || oh > 23 || om > 59)
      return std::nullopt;
    offset = sign * (oh * 3600 + om * 60);
  } else {
    return std::nullopt;
  }
  const auto epochDays = sys_days{ymd}.time_since_epoch().count();
  const std::int64_t total = std::int64_t(epochDays) * 86400 + h * 3600 + mi * 60 + sec - offset;
  return total * 1'000'000 + micros;
}

}  // namespace forgehook::core
