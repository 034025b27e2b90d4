#include <cstdlib>

#include "rules/process_runner.h"

namespace forgehook::rules {
namespace {

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

Environment runVariables(const RunFacts& run) {
  Environment env{{"FORGEHOOK_DELIVERY_ID", run.deliveryGuid},
                  {"FORGEHOOK_DELIVERY", std::to_string(run.delivery)},
                  {"FORGEHOOK_FORGE", run.forge},
                  {"FORGEHOOK_EVENT", run.event},
                  {"FORGEHOOK_ACTION", run.action},
                  {"FORGEHOOK_REPOSITORY", run.repository},
                  {"FORGEHOOK_RULE", run.rule}};
  if (run.runId) env.emplace_back("FORGEHOOK_RUN_ID", std::to_string(*run.runId));
  env.emplace_back("FORGEHOOK_ATTEMPT", std::to_string(run.attempt));
  env.emplace_back("FORGEHOOK_RERUN_AFTER_CRASH", run.rerunAfterCrash ? "1" : "0");
  if (!run.payloadFile.empty()) env.emplace_back("FORGEHOOK_PAYLOAD_FILE", run.payloadFile);
  return env;
}

Environment commandEnvironment(const Environment& ruleEnv, const std::vector<std::string>& passEnv,
                               const Environment& extra) {
  Environment env;
  put(env, "PATH", "/usr/local/bin:/usr/bin:/bin");
  for (const char* name : {"PATH", "LANG", "LC_ALL", "HOME"}) copyFromOwn(env, name);
  for (const auto& name : passEnv) copyFromOwn(env, name);
  for (const auto& [name, value] : extra) put(env, name, value);
  for (const auto& [name, value] : ruleEnv) put(env, name, value);
  return env;
}

}  // namespace forgehook::rules
