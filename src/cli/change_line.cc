#include "cli/change_line.h"

#include <array>
#include <nlohmann/json.hpp>
#include <string_view>

#include "cli/human_output.h"
#include "cli/table.h"

namespace forgehook::cli {
namespace {

constexpr std::size_t kMaxSummary = 80;

// "2026-11-30T00:41:07.123456Z" → "2026-11-30T00:41:07Z": seconds are enough on a terminal.
std::string shortTime(const nlohmann::json& at) {
  if (!at.is_string()) return "-";
  std::string text = at.get<std::string>();
  if (const auto dot = text.find('.'); dot != std::string::npos && text.ends_with('Z'))
    text = text.substr(0, dot) + "Z";
  return text;
}

std::string padded(std::string text, std::size_t width) {
  if (const auto shown = displayWidth(text); shown < width) text.append(width - shown, ' ');
  return text;
}

}  // namespace

std::string changeSummary(const nlohmann::json& row) {
  static constexpr std::array<std::string_view, 11> kFields{
      "number", "workflow", "branch", "ref", "tag", "event", "title", "summary", "state", "status", "conclusion"};
  if (!row.is_object()) return {};
  std::string out;
  for (const auto field : kFields) {
    const auto it = row.find(field);
    if (it == row.end() || !(it->is_string() || it->is_number())) continue;
    std::string text = cell(*it);
    if (text.empty()) continue;
    if (field == "number") text = "#" + text;
    if (!out.empty()) out += ' ';
    out += text;
  }
  return fitCell(out, kMaxSummary);
}

std::string changeLine(const nlohmann::json& change) {
  const auto field = [&](const char* name) { return change.contains(name) ? cell(change[name]) : std::string("-"); };
  std::string out = shortTime(change.value("at", nlohmann::json()));
  out += "  " + field("seq");
  out += "  " + padded(field("resource"), 12);
  out += "  " + padded(field("action"), 7);
  out += "  " + field("id");
  out += "  " + field("repository");
  if (auto summary = changeSummary(change.value("data", nlohmann::json())); !summary.empty()) out += "  " + summary;
  return out;
}

}  // namespace forgehook::cli
