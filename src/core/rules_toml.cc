#include "core/rules_toml.h"

#include <functional>
#include <map>
#include <set>
#include <stdexcept>

#include "core/forge.h"
#include "core/json_pointer.h"

namespace forgehook::core {
namespace {

[[noreturn]] void fail(const std::string& key, const std::string& what) {
  throw std::invalid_argument(key + " " + what);
}

bool isRuleName(std::string_view s) {
  if (s.empty() || s.size() > 64) return false;
  for (const char c : s)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '.' && c != '-') return false;
  return true;
}

bool isEnvName(std::string_view s) {
  if (s.empty() || std::isdigit(static_cast<unsigned char>(s.front()))) return false;
  for (const char c : s)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') return false;
  return true;
}

std::string stringOf(const std::string& key, const toml::node& node) {
  const auto s = node.value_exact<std::string>();
  if (!s) fail(key, "must be a string");
  return *s;
}

// A string, or an array of strings; none of them empty.
std::vector<std::string> stringsOf(const std::string& key, const toml::node& node) {
  std::vector<std::string> out;
  if (const auto* arr = node.as_array()) {
    for (const auto& item : *arr) out.push_back(stringOf(key, item));
  } else {
    out.push_back(stringOf(key, node));
  }
  for (const auto& s : out)
    if (s.empty()) fail(key, "must not hold an empty string");
  return out;
}

std::int64_t intIn(const std::string& key, const toml::node& node, std::int64_t lo, std::int64_t hi) {
  const auto v = node.value_exact<std::int64_t>();
  if (!v || *v < lo || *v > hi)
    fail(key, "must be an integer between " + std::to_string(lo) + " and " + std::to_string(hi));
  return *v;
}

// A condition's operand as the text a payload value is compared as (numbers and booleans as JSON text).
std::string operandText(const std::string& key, const toml::node& node) {
  if (const auto s = node.value_exact<std::string>()) return *s;
  if (const auto i = node.value_exact<std::int64_t>()) return std::to_string(*i);
  if (const auto b = node.value_exact<bool>()) return *b ? "true" : "false";
  fail(key, "must be a string, an integer or a boolean");
}

const toml::table& tableOf(const std::string& key, const toml::node& node) {
  const auto* table = node.as_table();
  if (!table) fail(key, "must be a table");
  return *table;
}

RuleCondition conditionFromToml(const std::string& prefix, const toml::table& table) {
  RuleCondition condition;
  bool hasIn = false;
  for (const auto& [k, v] : table) {
    const std::string name(k.str());
    const std::string key = prefix + "." + name;
    if (name == "pointer") {
      condition.pointer = stringOf(key, v);
      if (condition.pointer.empty() || !parseJsonPointer(condition.pointer))
        fail(key, "must be a JSON Pointer starting with '/' (RFC 6901: '~' only as ~0 or ~1)");
    } else if (name == "equals") {
      condition.equals = operandText(key, v);
    } else if (name == "in") {
      const auto* arr = v.as_array();
      if (!arr || arr->empty()) fail(key, "must be a non-empty array");
      for (const auto& item : *arr) condition.in.push_back(operandText(key, item));
      hasIn = true;
    } else if (name == "matches") {
      condition.matches = stringOf(key, v);
    } else {
      throw std::invalid_argument("unknown configuration key \"" + key + "\"");
    }
  }
  if (condition.pointer.empty()) fail(prefix + ".pointer", "is required");
  if (int{condition.equals.has_value()} + int{hasIn} + int{condition.matches.has_value()} != 1)
    fail(prefix, "must have exactly one of equals, in, matches");
  return condition;
}

std::vector<RuleCondition> conditionsFromToml(const std::string& key, const toml::node& node) {
  const auto* arr = node.as_array();
  if (!arr) fail(key, "must be an array of tables ([[rules.when]])");
  std::vector<RuleCondition> out;
  for (std::size_t i = 0; i < arr->size(); ++i) {
    const std::string prefix = key + "[" + std::to_string(i) + "]";
    out.push_back(conditionFromToml(prefix, tableOf(prefix, *arr->get(i))));
  }
  return out;
}

std::vector<std::pair<std::string, std::string>> envFromToml(const std::string& key, const toml::node& node) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& [k, v] : tableOf(key, node)) {
    const std::string name(k.str());
    if (!isEnvName(name)) fail(key + "." + name, "is not a variable name ([A-Za-z_][A-Za-z0-9_]*)");
    out.emplace_back(name, stringOf(key + "." + name, v));
  }
  return out;
}

std::vector<std::string> commandFromToml(const std::string& key, const toml::node& node) {
  const auto* arr = node.as_array();
  if (!arr || arr->empty()) fail(key, "must be a non-empty array of strings (argv; no shell runs it)");
  std::vector<std::string> argv;
  for (const auto& item : *arr) argv.push_back(stringOf(key, item));
  const std::string& program = argv.front();
  if (program.empty() || (program.find('/') != std::string::npos && program.front() != '/'))
    fail(key, "must start with an absolute path or a program name looked up in PATH, got \"" + program + "\"");
  return argv;
}

using Field = std::function<void(RuleConfig&, const std::string& key, const toml::node&)>;

const std::map<std::string, Field, std::less<>>& fields() {
  static const std::map<std::string, Field, std::less<>> kFields = {
      {"name",
       [](RuleConfig& r, const std::string& key, const toml::node& v) {
         r.name = stringOf(key, v);
         if (!isRuleName(r.name)) fail(key, "must be 1 to 64 of A-Z a-z 0-9 _ . -, got \"" + r.name + "\"");
       }},
      {"forge",
       [](RuleConfig& r, const std::string& key, const toml::node& v) {
         r.forges = stringsOf(key, v);
         for (const auto& f : r.forges)
           if (!parseForge(f)) fail(key, "must be " + std::string(knownForgesText()) + ", got \"" + f + "\"");
       }},
      {"event", [](RuleConfig& r, const std::string& key, const toml::node& v) { r.events = stringsOf(key, v); }},
      {"action", [](RuleConfig& r, const std::string& key, const toml::node& v) { r.actions = stringsOf(key, v); }},
      {"repository",
       [](RuleConfig& r, const std::string& key, const toml::node& v) { r.repositories = stringsOf(key, v); }},
      {"branch", [](RuleConfig& r, const std::string& key, const toml::node& v) { r.branches = stringsOf(key, v); }},
      {"tag", [](RuleConfig& r, const std::string& key, const toml::node& v) { r.tags = stringsOf(key, v); }},
      {"when", [](RuleConfig& r, const std::string& key, const toml::node& v) { r.when = conditionsFromToml(key, v); }},
      {"command",
       [](RuleConfig& r, const std::string& key, const toml::node& v) { r.command = commandFromToml(key, v); }},
      {"workdir",
       [](RuleConfig& r, const std::string& key, const toml::node& v) {
         r.workdir = stringOf(key, v);
         if (!r.workdir.empty() && r.workdir.front() != '/') fail(key, "must be an absolute path");
       }},
      {"env", [](RuleConfig& r, const std::string& key, const toml::node& v) { r.env = envFromToml(key, v); }},
      {"pass_env",
       [](RuleConfig& r, const std::string& key, const toml::node& v) {
         r.passEnv = stringsOf(key, v);
         for (const auto& name : r.passEnv)
           if (!isEnvName(name)) fail(key, "holds \"" + name + "\", not a variable name ([A-Za-z_][A-Za-z0-9_]*)");
       }},
      {"payload",
       [](RuleConfig& r, const std::string& key, const toml::node& v) {
         r.payload = stringOf(key, v);
         if (r.payload != "stdin" && r.payload != "file" && r.payload != "none")
           fail(key, "must be \"stdin\", \"file\" or \"none\", got \"" + r.payload + "\"");
       }},
      {"timeout_s",
       [](RuleConfig& r, const std::string& key, const toml::node& v) { r.timeoutS = intIn(key, v, 1, 86400); }},
      {"concurrency",
       [](RuleConfig& r, const std::string& key, const toml::node& v) { r.concurrency = intIn(key, v, 1, 64); }},
      {"max_attempts",
       [](RuleConfig& r, const std::string& key, const toml::node& v) { r.maxAttempts = intIn(key, v, 1, 20); }},
      {"retry_delay_s",
       [](RuleConfig& r, const std::string& key, const toml::node& v) { r.retryDelayS = intIn(key, v, 1, 86400); }},
      {"output_limit_bytes", [](RuleConfig& r, const std::string& key,
                                const toml::node& v) { r.outputLimitBytes = intIn(key, v, 0, 1'048'576); }},
  };
  return kFields;
}

RuleConfig ruleFromToml(const std::string& prefix, const toml::table& table) {
  RuleConfig rule;
  for (const auto& [k, v] : table) {
    const auto field = fields().find(k.str());
    if (field == fields().end())
      throw std::invalid_argument("unknown configuration key \"" + prefix + "." + std::string(k.str()) + "\"");
    field->second(rule, prefix + "." + std::string(k.str()), v);
  }
  if (rule.name.empty()) fail(prefix + ".name", "is required");
  if (rule.command.empty()) fail(prefix + ".command", "is required");
  return rule;
}

std::string quoted(const std::vector<std::string>& items) {
  std::string out = "[";
  for (const auto& item : items) {
    if (out.size() > 1) out += ", ";
    out.append("\"").append(item).append("\"");
  }
  return out + "]";
}

}  // namespace

std::vector<RuleConfig> rulesFromToml(const toml::node& node) {
  const auto* arr = node.as_array();
  if (!arr) fail("rules", "must be an array of tables ([[rules]])");
  std::vector<RuleConfig> rules;
  std::set<std::string, std::less<>> names;
  for (std::size_t i = 0; i < arr->size(); ++i) {
    const std::string prefix = "rules[" + std::to_string(i) + "]";
    rules.push_back(ruleFromToml(prefix, tableOf(prefix, *arr->get(i))));
    if (!names.insert(rules.back().name).second)
      fail(prefix + ".name", "\"" + rules.back().name + "\" is the name of an earlier rule; names must be unique");
  }
  return rules;
}

std::string describeRules(const std::vector<RuleConfig>& rules) {
  std::string out;
  for (std::size_t i = 0; i < rules.size(); ++i) {
    const RuleConfig& r = rules[i];
    const std::string p = "rules[" + std::to_string(i) + "].";
    const auto line = [&](const std::string& key, const std::string& value) {
      out.append(p).append(key).append(" = ").append(value).append("\n");
    };
    line("name", r.name);
    const std::pair<const char*, const std::vector<std::string>*> lists[] = {
        {"forge", &r.forges},    {"event", &r.events}, {"action", &r.actions}, {"repository", &r.repositories},
        {"branch", &r.branches}, {"tag", &r.tags}};
    for (const auto& [key, values] : lists)
      if (!values->empty()) line(key, quoted(*values));
    for (std::size_t c = 0; c < r.when.size(); ++c) {
      const RuleCondition& w = r.when[c];
      const std::string test = w.equals    ? "equals \"" + *w.equals + "\""
                               : w.matches ? "matches \"" + *w.matches + "\""
                                           : "in " + quoted(w.in);
      line("when[" + std::to_string(c) + "]", w.pointer + " " + test);
    }
    line("command", quoted(r.command));
    if (!r.workdir.empty()) line("workdir", r.workdir);
    for (const auto& [name, value] : r.env) line("env." + name, "***");
    if (!r.passEnv.empty()) line("pass_env", quoted(r.passEnv));
    line("payload", r.payload);
    line("timeout_s", std::to_string(r.timeoutS));
    line("concurrency", std::to_string(r.concurrency));
    line("max_attempts", std::to_string(r.maxAttempts));
    line("retry_delay_s", std::to_string(r.retryDelayS));
    line("output_limit_bytes", std::to_string(r.outputLimitBytes));
  }
  return out;
}

}  // namespace forgehook::core
