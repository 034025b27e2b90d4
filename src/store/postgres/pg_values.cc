#include "store/postgres/pg_values.h"

namespace forgehook::store::postgres {
namespace {

template <class Text>
std::string textArray(std::span<const Text> items) {
  std::string out = "{";
  for (std::size_t i = 0; i < items.size(); ++i) {
    out += i ? ",\"" : "\"";
    for (const char ch : items[i]) {
      if (ch == '"' || ch == '\\') out += '\\';
      out += ch;
    }
    out += '"';
  }
  return out + "}";
}

}  // namespace

PgParam pgParam(const FieldValue& v) {
  if (const auto* i = std::get_if<std::int64_t>(&v)) return std::to_string(*i);
  if (const auto* t = std::get_if<std::string>(&v)) return *t;
  return std::nullopt;
}

std::vector<PgParam> pgParams(std::span<const FieldValue> values) {
  std::vector<PgParam> out;
  out.reserve(values.size());
  for (const auto& v : values) out.push_back(pgParam(v));
  return out;
}

std::string pgTextArray(std::span<const std::string> items) { return textArray(items); }
std::string pgTextArray(std::span<const std::string_view> items) { return textArray(items); }

std::string pgBigintArray(std::span<const std::int64_t> ids) {
  std::string out = "{";
  for (std::size_t i = 0; i < ids.size(); ++i) {
    if (i) out += ',';
    out += std::to_string(ids[i]);
  }
  return out + "}";
}

}  // namespace forgehook::store::postgres
