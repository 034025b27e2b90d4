#include "mcp/arguments.h"

#include <algorithm>

namespace forgehook::mcp {
namespace {

bool hasType(const nlohmann::json& value, const std::string& type) {
  if (type == "string") return value.is_string();
  if (type == "integer") return value.is_number_integer();
  if (type == "number") return value.is_number();
  if (type == "boolean") return value.is_boolean();
  if (type == "array") return value.is_array();
  if (type == "object") return value.is_object();
  return false;
}

std::string article(const std::string& type) {
  return (type == "integer" || type == "array" || type == "object") ? "an " + type : "a " + type;
}

std::optional<std::string> valueError(const std::string& name, const nlohmann::json& schema,
                                      const nlohmann::json& value) {
  const std::string type = schema.value("type", "");
  if (!type.empty() && !hasType(value, type)) return name + " must be " + article(type);
  if (auto e = schema.find("enum"); e != schema.end() && std::find(e->begin(), e->end(), value) == e->end()) {
    std::string allowed;
    for (const auto& option : *e) allowed.append(allowed.empty() ? "" : ", ").append(option.dump());
    return name + " must be one of " + allowed;
  }
  if (auto min = schema.find("minimum"); min != schema.end() && value.is_number() && value < *min)
    return name + " must be at least " + min->dump();
  if (auto max = schema.find("maximum"); max != schema.end() && value.is_number() && value > *max)
    return name + " must be at most " + max->dump();
  if (auto min = schema.find("minLength");
      min != schema.end() && value.is_string() && value.get_ref<const std::string&>().size() < min->get<std::size_t>())
    return min->get<std::size_t>() == 1 ? name + " must not be empty"
                                        : name + " must be at least " + min->dump() + " characters";
  if (auto max = schema.find("maxLength");
      max != schema.end() && value.is_string() && value.get_ref<const std::string&>().size() > max->get<std::size_t>())
    return name + " must be at most " + max->dump() + " characters";
  if (auto items = schema.find("items"); items != schema.end() && value.is_array()) {
    for (std::size_t i = 0; i < value.size(); ++i)
      if (auto error = valueError(name + "[" + std::to_string(i) + "]", *items, value[i])) return error;
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::string> argumentError(const nlohmann::json& schema, const nlohmann::json& arguments) {
  static const nlohmann::json kEmpty = nlohmann::json::object();
  const nlohmann::json& args = arguments.is_null() ? kEmpty : arguments;
  if (!args.is_object()) return "arguments must be an object";
  const auto properties = schema.find("properties");
  if (auto required = schema.find("required"); required != schema.end())
    for (const auto& name : *required)
      if (!args.contains(name.get<std::string>()))
        return "missing required argument \"" + name.get<std::string>() + "\"";
  for (const auto& [name, value] : args.items()) {
    if (properties == schema.end() || !properties->contains(name)) return "unknown argument \"" + name + "\"";
    if (auto error = valueError(name, (*properties)[name], value)) return error;
  }
  return std::nullopt;
}

}  // namespace forgehook::mcp
