#pragma once
// How a command's argv and env are kept in command_runs: JSON text, an array of strings and an
// object of strings (in the rule's order), read back exactly as written.
#include <string>
#include <utility>
#include <vector>

namespace forgehook::store {

[[nodiscard]] std::string commandArgvJson(const std::vector<std::string>& argv);
[[nodiscard]] std::string commandEnvJson(const std::vector<std::pair<std::string, std::string>>& env);
// Throw std::runtime_error on text these did not write (a damaged row).
[[nodiscard]] std::vector<std::string> commandArgvFromJson(const std::string& json);
[[nodiscard]] std::vector<std::pair<std::string, std::string>> commandEnvFromJson(const std::string& json);

}  // namespace forgehook::store
