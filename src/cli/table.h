#pragma once
// A text table sized to its content: upper-case headers, two spaces between columns, every cell
// of a column starting at the same offset, cells longer than kMaxCellWidth characters cut with
// "…". Widths count UTF-8 characters, not bytes. Build it, then print it; not thread-safe.
#include <cstddef>
#include <iosfwd>
#include <string>
#include <vector>

namespace forgehook::cli {

class Table {
 public:
  static constexpr std::size_t kMaxCellWidth = 48;

  // `headers` are shown upper-cased.
  explicit Table(std::vector<std::string> headers);
  // Requires: as many cells as headers (missing ones print empty, extra ones are dropped).
  void addRow(std::vector<std::string> cells);
  void print(std::ostream& out) const;

 private:
  std::vector<std::string> headers_;
  std::vector<std::vector<std::string>> rows_;
};

// `text` on one line (control characters become spaces), cut to `max` characters with "…".
[[nodiscard]] std::string fitCell(const std::string& text, std::size_t max = Table::kMaxCellWidth);
// The number of characters (UTF-8 code points) of `text`.
[[nodiscard]] std::size_t displayWidth(const std::string& text);

}  // namespace forgehook::cli
