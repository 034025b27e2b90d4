#include "model/mapping_context.h"

namespace forgehook::model {

void MappingContext::write(std::string table, std::vector<store::Field> key, Fields fields, std::int64_t version,
                           store::WriteMode mode) {
  out.writes.push_back(store::EntityWrite{std::move(table), std::move(key), fields.take(), version, mode});
}

std::vector<store::Field> MappingContext::key(
    std::initializer_list<std::pair<const char*, store::FieldValue>> extra) const {
  std::vector<store::Field> k{{"forge", forge}};
  for (const auto& [name, value] : extra) k.push_back({name, value});
  return k;
}

void MappingContext::activity(std::optional<std::int64_t> at, std::string summary, std::string url) {
  if (at) out.activity.at = *at;
  out.activity.summary = std::move(summary);
  out.activity.url = std::move(url);
}

std::string MappingContext::actor() const { return out.activity.actor.empty() ? "someone" : out.activity.actor; }

}  // namespace forgehook::model
