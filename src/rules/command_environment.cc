#include <cstdlib>

#include "rules/process_runner.h"

namespace forgehook::rules {
namespace {

using Environment = std::vector<std::pair<std::string, std::string>>;

void put(Environment& env, const std::string& name, std::string value) {
  for (auto& [n, v] : env)
    if (n == name) {
      v = std::move(value);
      return;
    }
  env.emplace_back(name, std::move(value));
}

void copyFromOwn(Environment& env, const std::string& name) {
  if (const char* value = std::getenv(name.c_str())) put(env, name, value);
}

}  // namespace

Environment commandEnvironment(const Invocation& invocation, const std::vector<std::string>& passEnv,
                               const Environment& extra) {
  Environment env;
  put(env, "PATH", "/usr/local/bin:/usr/bin:/bin");
  for (const char* name : {"PATH", "LANG", "LC_ALL", "HOME"}) copyFromOwn(env, name);
  for (const auto& name : passEnv) copyFromOwn(env, name);
  for (const auto& [name, value] : extra) put(env, name, value);
  for (const auto& [name, value] : invocation.env) put(env, name, value);
  return env;
}

}  // namespace forgehook::rules
