#pragma once
// GitHub's own webhook payload examples (@octokit/webhooks-examples, pinned in package-lock.json),
// found by walking up from the working directory to the checkout's node_modules.
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>
#include <string>

namespace forgehook::testing {

inline const nlohmann::json& webhookExamples() {
  static const nlohmann::json examples = [] {
    for (auto dir = std::filesystem::current_path(); !dir.empty(); dir = dir.parent_path()) {
      const auto file = dir / "node_modules/@octokit/webhooks-examples/api.github.com/index.json";
      if (std::filesystem::exists(file)) {
        std::ifstream in(file);
        return nlohmann::json::parse(in);
      }
      if (dir == dir.parent_path()) break;
    }
    throw std::runtime_error("@octokit/webhooks-examples not found: run `npm ci` in the checkout");
  }();
  return examples;
}

// The index-th example of an event, serialized as GitHub sends it (compact JSON).
inline std::string examplePayload(const std::string& event, std::size_t index = 0) {
  for (const auto& e : webhookExamples())
    if (e["name"] == event) return e["examples"].at(index).dump();
  throw std::runtime_error("no example for event " + event);
}

// A GitLab payload of tests/fixtures/gitlab/ (GitLab publishes no package of examples), compact JSON.
inline std::string gitLabFixture(const std::string& name) {
  for (auto dir = std::filesystem::current_path(); !dir.empty(); dir = dir.parent_path()) {
    const auto file = dir / "tests/fixtures/gitlab" / name;
    if (std::filesystem::exists(file)) {
      std::ifstream in(file);
      return nlohmann::json::parse(in).dump();
    }
    if (dir == dir.parent_path()) break;
  }
  throw std::runtime_error("fixture not found: " + name);
}

}  // namespace forgehook::testing
