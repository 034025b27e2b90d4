#include "cli/config_json.h"

#include <charconv>
#include <nlohmann/json.hpp>
#include <sstream>

namespace forgehook::cli {
namespace {

using nlohmann::json;

// describeConfig prints every value as text: give numbers and booleans their JSON type back.
json typed(const std::string& text) {
  if (text == "true") return true;
  if (text == "false") return false;
  long long i = 0;
  if (auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), i);
      !text.empty() && ec == std::errc{} && end == text.data() + text.size())
    return i;
  double d = 0;
  if (auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), d);
      !text.empty() && ec == std::errc{} && end == text.data() + text.size())
    return d;
  return text;
}

}  // namespace

json configJson(const core::Config& config) {
  json out = json::object();
  std::istringstream lines(core::describeConfig(config));
  std::string line;
  // Each line is "dotted.key = value   # FORGEHOOK_ENV_NAME".
  while (std::getline(lines, line)) {
    const auto eq = line.find(" = ");
    if (eq == std::string::npos) continue;
    std::string value = line.substr(eq + 3);
    if (const auto hash = value.rfind("   # "); hash != std::string::npos) value.resize(hash);
    std::string pointer(1, '/');
    pointer += line.substr(0, eq);
    for (auto& c : pointer)
      if (c == '.') c = '/';
    out[json::json_pointer(pointer)] = typed(value);
  }
  return out;
}

}  // namespace forgehook::cli
