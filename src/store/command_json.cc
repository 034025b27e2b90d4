#include "store/command_json.h"

#include <nlohmann/json.hpp>
#include <stdexcept>

namespace forgehook::store {

std::string commandArgvJson(const std::vector<std::string>& argv) { return nlohmann::json(argv).dump(); }

std::string commandEnvJson(const std::vector<std::pair<std::string, std::string>>& env) {
  // ordered_json keeps the rule's order, which is the order the variables are set in.
  nlohmann::ordered_json object = nlohmann::ordered_json::object();
  for (const auto& [name, value] : env) object[name] = value;
  return object.dump();
}

std::vector<std::string> commandArgvFromJson(const std::string& json) {
  const auto parsed = nlohmann::json::parse(json, nullptr, false);
  if (!parsed.is_array()) throw std::runtime_error("command_runs.argv is not a JSON array");
  std::vector<std::string> argv;
  for (const auto& v : parsed) {
    if (!v.is_string()) throw std::runtime_error("command_runs.argv holds a non-string");
    argv.push_back(v.get<std::string>());
  }
  return argv;
}

std::vector<std::pair<std::string, std::string>> commandEnvFromJson(const std::string& json) {
  const auto parsed = nlohmann::ordered_json::parse(json, nullptr, false);
  if (!parsed.is_object()) throw std::runtime_error("command_runs.env is not a JSON object");
  std::vector<std::pair<std::string, std::string>> env;
  for (const auto& [name, value] : parsed.items()) {
    if (!value.is_string()) throw std::runtime_error("command_runs.env holds a non-string");
    env.emplace_back(name, value.get<std::string>());
  }
  return env;
}

}  // namespace forgehook::store
