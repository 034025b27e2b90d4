#include "cli/table.h"

#include <algorithm>
#include <cctype>
#include <ostream>

namespace forgehook::cli {
namespace {

bool isContinuationByte(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

}  // namespace

std::size_t displayWidth(const std::string& text) {
  return static_cast<std::size_t>(
      std::count_if(text.begin(), text.end(), [](char c) { return !isContinuationByte(c); }));
}

std::string fitCell(const std::string& text, std::size_t max) {
  std::string line;
  line.reserve(text.size());
  for (char c : text) line += static_cast<unsigned char>(c) < 0x20 || c == 0x7f ? ' ' : c;
  if (displayWidth(line) <= max) return line;
  std::string out;
  std::size_t chars = 0;
  for (std::size_t i = 0; i < line.size(); ++i) {
    if (!isContinuationByte(line[i]) && ++chars == max) break;  // room is left for the ellipsis
    out += line[i];
  }
  return out + "\u2026";
}

Table::Table(std::vector<std::string> headers) : headers_(std::move(headers)) {
  for (auto& h : headers_)
    std::transform(h.begin(), h.end(), h.begin(), [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
}

void Table::addRow(std::vector<std::string> cells) {
  cells.resize(headers_.size());
  for (auto& c : cells) c = fitCell(c);
  rows_.push_back(std::move(cells));
}

void Table::print(std::ostream& out) const {
  std::vector<std::size_t> widths(headers_.size());
  for (std::size_t i = 0; i < headers_.size(); ++i) widths[i] = displayWidth(headers_[i]);
  for (const auto& row : rows_)
    for (std::size_t i = 0; i < row.size(); ++i) widths[i] = std::max(widths[i], displayWidth(row[i]));
  auto printLine = [&](const std::vector<std::string>& cells) {
    std::string line;
    for (std::size_t i = 0; i < cells.size(); ++i) {
      line += cells[i];
      // The last column is not padded: no trailing blanks.
      if (i + 1 < cells.size()) line.append(widths[i] - displayWidth(cells[i]) + 2, ' ');
    }
    out << line << "\n";
  };
  printLine(headers_);
  for (const auto& row : rows_) printLine(row);
}

}  // namespace forgehook::cli
