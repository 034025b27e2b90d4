#include "cli/human_output.h"

#include <algorithm>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/table.h"

namespace forgehook::cli {
namespace {

using nlohmann::json;

// Members of `object` flattened to dotted keys: {"a": {"b": 1}} → [("a.b", 1)]. Arrays are kept whole.
void flatten(const json& object, const std::string& prefix, std::vector<std::pair<std::string, json>>& out) {
  for (const auto& [key, value] : object.items()) {
    const std::string name = prefix.empty() ? key : prefix + "." + key;
    if (value.is_object() && !(value.contains("repository") && value.contains("number")))
      flatten(value, name, out);
    else
      out.emplace_back(name, value);
  }
}

bool isTable(const json& value) { return value.is_array() && !value.empty() && value.front().is_object(); }

// Keys in the order `first` names them, then the rest in the order given.
std::vector<std::string> ordered(std::vector<std::string> keys, const std::vector<std::string_view>& first) {
  std::stable_sort(keys.begin(), keys.end(), [&](const std::string& a, const std::string& b) {
    auto rank = [&](const std::string& k) {
      const auto it = std::find(first.begin(), first.end(), std::string_view(k));
      return it == first.end() ? first.size() : static_cast<std::size_t>(it - first.begin());
    };
    return rank(a) < rank(b);
  });
  return keys;
}

}  // namespace

std::string cell(const json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_null()) return "-";
  if (v.is_array()) {
    std::string out;
    for (const auto& x : v) {
      if (!out.empty()) out += ',';
      out += cell(x);
    }
    return out;
  }
  if (v.is_object() && v.contains("repository") && v.contains("number"))
    return cell(v["repository"]) + "#" + cell(v["number"]);
  return v.dump();
}

void printRows(std::ostream& out, const json& rows, const std::vector<std::string>& columns) {
  Table table(columns);
  for (const auto& row : rows) {
    std::vector<std::string> cells;
    std::vector<std::pair<std::string, json>> flat;
    flatten(row, "", flat);
    for (const auto& c : columns) {
      const auto it = std::find_if(flat.begin(), flat.end(), [&](const auto& kv) { return kv.first == c; });
      // An empty cell would read as a shifted column.
      std::string text = it == flat.end() ? "" : cell(it->second);
      cells.push_back(text.empty() ? "-" : std::move(text));
    }
    table.addRow(std::move(cells));
  }
  table.print(out);
}

void printObject(std::ostream& out, const json& object, const std::vector<std::string_view>& first) {
  std::vector<std::pair<std::string, json>> flat;
  flatten(object, "", flat);
  std::vector<std::string> scalarKeys, tableKeys;
  for (const auto& [k, v] : flat) (isTable(v) ? tableKeys : scalarKeys).push_back(k);
  scalarKeys = ordered(scalarKeys, first);
  tableKeys = ordered(tableKeys, first);
  auto valueOf = [&](const std::string& key) -> const json& {
    return std::find_if(flat.begin(), flat.end(), [&](const auto& kv) { return kv.first == key; })->second;
  };
  std::size_t width = 0;
  for (const auto& k : scalarKeys) width = std::max(width, k.size());
  for (const auto& k : scalarKeys) {
    const json& v = valueOf(k);
    // An empty array of objects is an empty table: "none" reads better than an empty cell.
    const std::string text = v.is_array() && v.empty() ? "none" : cell(v);
    out << k << std::string(width - k.size() + 2, ' ') << text << "\n";
  }
  for (const auto& k : tableKeys) {
    const json& rows = valueOf(k);
    std::vector<std::pair<std::string, json>> columns;
    flatten(rows.front(), "", columns);
    std::vector<std::string> names;
    for (const auto& [name, ignored] : columns) names.push_back(name);
    out << "\n" << k << ":\n";
    printRows(out, rows, ordered(names, first));
  }
}

void printNextCursor(const json& page) {
  if (page.contains("next_cursor") && !page["next_cursor"].is_null())
    std::cerr << "more: --cursor " << cell(page["next_cursor"]) << "\n";
}

}  // namespace forgehook::cli
