#include "cli/example_payloads.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <sstream>
#include <stdexcept>
#include <vector>

namespace forgehook::cli {
namespace {

namespace fs = std::filesystem;

constexpr const char* kPayloadDir = "examples/payloads/github";
constexpr const char* kPackageIndex = "node_modules/@octokit/webhooks-examples/api.github.com/index.json";

std::string readText(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + file.string());
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

// The directory of the running binary and each of its parents, then the working directory's.
std::vector<fs::path> searchRoots() {
  std::vector<fs::path> roots;
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec)
    for (fs::path dir = exe.parent_path(); !dir.empty(); dir = dir.parent_path()) {
      roots.push_back(dir);
      roots.push_back(dir / "share/forgehook");  // an installed layout: <prefix>/bin, <prefix>/share
      if (dir == dir.root_path()) break;
    }
  for (fs::path dir = fs::current_path(ec); !ec && !dir.empty(); dir = dir.parent_path()) {
    roots.push_back(dir);
    if (dir == dir.root_path()) break;
  }
  return roots;
}

std::optional<fs::path> findUnderRoots(const fs::path& relative) {
  for (const auto& root : searchRoots())
    if (std::error_code ec; fs::exists(root / relative, ec)) return root / relative;
  return std::nullopt;
}

// "pull_request.opened" → {"pull_request", "opened"}; "push" → {"push", ""}.
std::pair<std::string, std::string> splitName(const std::string& name) {
  const auto dot = name.find('.');
  if (dot == std::string::npos) return {name, ""};
  return {name.substr(0, dot), name.substr(dot + 1)};
}

std::set<std::string> namesInDir(const fs::path& dir) {
  std::set<std::string> names;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec))
    if (entry.path().extension() == ".json") names.insert(entry.path().stem().string());
  return names;
}

std::optional<ExamplePayload> fromDir(const fs::path& dir, const std::string& name) {
  const auto [event, action] = splitName(name);
  fs::path file = dir / (name + ".json");
  if (std::error_code ec; !fs::exists(file, ec)) {
    if (!action.empty()) return std::nullopt;
    // An event alone: its first example by name.
    const auto names = namesInDir(dir);
    const auto it =
        std::find_if(names.begin(), names.end(), [&](const std::string& n) { return n.starts_with(event + "."); });
    if (it == names.end()) return std::nullopt;
    file = dir / (*it + ".json");
  }
  return ExamplePayload{event, readText(file), file.string()};
}

std::string exampleName(const nlohmann::json& example, const std::string& event) {
  const auto action = example.find("action");
  return action != example.end() && action->is_string() ? event + "." + action->get<std::string>() : event;
}

std::optional<ExamplePayload> fromPackage(const fs::path& index, const nlohmann::json& examples,
                                          const std::string& name) {
  const auto [event, action] = splitName(name);
  for (const auto& e : examples)
    if (e.value("name", "") == event)
      for (const auto& x : e["examples"])
        if (action.empty() || exampleName(x, event) == name) return ExamplePayload{event, x.dump(), index.string()};
  return std::nullopt;
}

std::string joined(const std::set<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : " ") + n;
  return out;
}

}  // namespace

ExamplePayload findExamplePayload(const std::string& name, const std::string& examplesDir) {
  std::string looked;
  std::set<std::string> dirNames, packageNames;
  const auto dir = examplesDir.empty() ? findUnderRoots(kPayloadDir) : std::optional<fs::path>(examplesDir);
  if (dir) {
    if (std::error_code ec; !fs::is_directory(*dir, ec))
      throw std::runtime_error("--examples-dir " + dir->string() + ": no such directory");
    if (auto found = fromDir(*dir, name)) return *found;
    dirNames = namesInDir(*dir);
    looked += "  " + dir->string() + ": " + (dirNames.empty() ? "no examples" : joined(dirNames)) + "\n";
  } else {
    looked += "  " + std::string(kPayloadDir) + ": not found next to the binary (pass --examples-dir)\n";
  }
  if (const auto index = findUnderRoots(kPackageIndex)) {
    const auto examples = nlohmann::json::parse(readText(*index));
    if (auto found = fromPackage(*index, examples, name)) return *found;
    for (const auto& e : examples)
      for (const auto& x : e["examples"]) packageNames.insert(exampleName(x, e.value("name", "")));
    looked += "  " + index->string() + ": " + joined(packageNames) + "\n";
  } else {
    looked += "  " + std::string(kPackageIndex) + ": not installed (npm ci adds every GitHub example)\n";
  }
  throw std::runtime_error("no example payload named " + name + ". Available:\n" + looked +
                           "Or send your own payload with --event EVENT --file FILE.");
}

}  // namespace forgehook::cli
