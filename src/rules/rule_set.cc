#include "rules/rule_set.h"

#include <algorithm>

#include "rules/condition.h"
#include "rules/delivery_refs.h"
#include "rules/glob.h"
#include "rules/payload.h"
#include "rules/template.h"

namespace forgehook::rules {
namespace {

struct CompiledRule {
  std::vector<Condition> when;
  std::vector<Template> command;
  std::vector<std::pair<std::string, Template>> env;
  Template workdir;
  bool readsPayload = false;  // some template has a {{/pointer}}
};

// One delivery as the templates of one rule see it; `rule` is set before each rule is rendered.
class DeliveryValues final : public TemplateValues {
 public:
  DeliveryValues(const DeliveryFacts& facts, const Payload& payload)
      : facts_(facts), payload_(payload), refs_(deliveryRefs(facts.event, payload)) {}

  std::string builtin(Builtin which) const override {
    switch (which) {
      case Builtin::DeliveryId:
        return facts_.deliveryId;
      case Builtin::Delivery:
        return facts_.id > 0 ? std::to_string(facts_.id) : std::string();
      case Builtin::Forge:
        return facts_.forge;
      case Builtin::Event:
        return facts_.event;
      case Builtin::Action:
        return facts_.action;
      case Builtin::Repository:
        return facts_.repository;
      case Builtin::Branch:
        return refs_.branch;
      case Builtin::Tag:
        return refs_.tag;
      case Builtin::Ref:
        return refs_.ref;
      case Builtin::Rule:
        return rule;
    }
    return {};
  }
  std::optional<std::string> pointer(const std::vector<std::string>& tokens) const override {
    return payload_.text(tokens);
  }

  const DeliveryFacts& facts() const { return facts_; }
  const Payload& payload() const { return payload_; }
  const DeliveryRefs& refs() const { return refs_; }
  std::string rule;

 private:
  const DeliveryFacts& facts_;
  const Payload& payload_;
  DeliveryRefs refs_;
};

std::string listed(const std::vector<std::string>& values) {
  std::string out;
  for (const auto& v : values) out.append(out.empty() ? "[\"" : ", \"").append(v).append("\"");
  return out + "]";
}

// "" when `value` passes the rule's list for `field` (empty: anything passes); else why not.
std::string listFailure(std::string_view field, const std::vector<std::string>& allowed, const std::string& value,
                        bool globs) {
  if (allowed.empty()) return {};
  if (value.empty()) return "the delivery has no " + std::string(field);
  const bool found = std::any_of(allowed.begin(), allowed.end(), [&](const std::string& pattern) {
    return globs ? globMatches(pattern, value) : pattern == value;
  });
  if (found) return {};
  std::string out(field);
  out.append(" \"").append(value).append(globs ? "\" does not match " : "\" is not one of ").append(listed(allowed));
  return out;
}

// "" when the rule matches the delivery; else the first reason it does not.
std::string mismatch(const core::RuleConfig& config, const CompiledRule& rule, const DeliveryValues& d) {
  const DeliveryFacts& facts = d.facts();
  for (std::string reason : {listFailure("forge", config.forges, facts.forge, false),
                             listFailure("event", config.events, facts.event, false),
                             listFailure("action", config.actions, facts.action, false),
                             listFailure("repository", config.repositories, facts.repository, true),
                             listFailure("branch", config.branches, d.refs().branch, true),
                             listFailure("tag", config.tags, d.refs().tag, true)})
    if (!reason.empty()) return reason;
  if (!d.payload().isJson() && (!rule.when.empty() || rule.readsPayload))
    return "the payload is not JSON, and the rule reads it";
  for (std::size_t i = 0; i < rule.when.size(); ++i)
    if (std::string reason = rule.when[i].failure(d.payload()); !reason.empty())
      return "when[" + std::to_string(i) + "]: " + reason;
  return {};
}

Invocation invocation(const core::RuleConfig& config, const CompiledRule& rule, DeliveryValues& d) {
  Invocation out;
  out.rule = config.name;
  out.payloadMode = config.payload;
  d.rule = config.name;
  const auto fail = [&out](const std::string& where, const std::string& error) {
    out.argv.clear();
    out.env.clear();
    out.workdir.clear();
    out.error = where + ": " + error;
    return out;
  };
  for (std::size_t i = 0; i < rule.command.size(); ++i) {
    auto arg = rule.command[i].render(d);
    if (!arg) return fail("command[" + std::to_string(i) + "]", arg.error());
    out.argv.push_back(std::move(*arg));
  }
  for (const auto& [name, value] : rule.env) {
    auto rendered = value.render(d);
    if (!rendered) return fail("env." + name, rendered.error());
    out.env.emplace_back(name, std::move(*rendered));
  }
  auto workdir = rule.workdir.render(d);
  if (!workdir) return fail("workdir", workdir.error());
  out.workdir = std::move(*workdir);
  return out;
}

}  // namespace

struct RuleSet::Compiled {
  std::vector<core::RuleConfig> configs;
  std::vector<CompiledRule> rules;  // rules[i] compiled from configs[i]
};

RuleSet::RuleSet() : compiled_(std::make_shared<const Compiled>()) {}

core::Result<RuleSet> RuleSet::compile(const std::vector<core::RuleConfig>& rules) {
  auto compiled = std::make_shared<Compiled>();
  compiled->configs = rules;
  for (std::size_t i = 0; i < rules.size(); ++i) {
    const core::RuleConfig& config = rules[i];
    const std::string where = "rules[" + std::to_string(i) + "] (" + config.name + ").";
    const auto invalid = [&where](const std::string& field, const std::string& error) {
      return std::unexpected(core::Error::invalidArgument("invalid_rule", where + field + ": " + error));
    };
    CompiledRule rule;
    for (std::size_t c = 0; c < config.when.size(); ++c) {
      auto condition = Condition::compile(config.when[c]);
      if (!condition) return invalid("when[" + std::to_string(c) + "]", condition.error());
      rule.when.push_back(std::move(*condition));
    }
    const auto addTemplate = [&rule](const std::string& text) -> std::expected<Template, std::string> {
      auto compiled = Template::compile(text);
      if (compiled) rule.readsPayload = rule.readsPayload || compiled->readsPayload();
      return compiled;
    };
    for (std::size_t a = 0; a < config.command.size(); ++a) {
      auto arg = addTemplate(config.command[a]);
      if (!arg) return invalid("command[" + std::to_string(a) + "]", arg.error());
      // A program chosen by the payload (or by a repository's name) would run whatever a sender wants.
      if (a == 0 && arg->hasPlaceholders())
        return invalid("command[0]", "the program must be written out, without placeholders");
      rule.command.push_back(std::move(*arg));
    }
    for (const auto& [name, text] : config.env) {
      auto value = addTemplate(text);
      if (!value) return invalid("env." + name, value.error());
      rule.env.emplace_back(name, std::move(*value));
    }
    auto workdir = addTemplate(config.workdir);
    if (!workdir) return invalid("workdir", workdir.error());
    rule.workdir = std::move(*workdir);
    compiled->rules.push_back(std::move(rule));
  }
  RuleSet out;
  out.compiled_ = std::move(compiled);
  return out;
}

std::vector<Invocation> RuleSet::match(const DeliveryFacts& delivery) const {
  std::vector<Invocation> out;
  for (auto& verdict : explain(delivery))
    if (verdict.invocation) out.push_back(std::move(*verdict.invocation));
  return out;
}

std::vector<RuleVerdict> RuleSet::explain(const DeliveryFacts& delivery) const {
  std::vector<RuleVerdict> out;
  if (empty()) return out;
  const Payload payload(delivery.rawBody);
  DeliveryValues values(delivery, payload);
  for (std::size_t i = 0; i < compiled_->rules.size(); ++i) {
    RuleVerdict verdict;
    verdict.rule = compiled_->configs[i].name;
    verdict.reason = mismatch(compiled_->configs[i], compiled_->rules[i], values);
    verdict.matched = verdict.reason.empty();
    if (verdict.matched) {
      verdict.reason = "matched";
      verdict.invocation = invocation(compiled_->configs[i], compiled_->rules[i], values);
    }
    out.push_back(std::move(verdict));
  }
  return out;
}

const core::RuleConfig* RuleSet::rule(std::string_view name) const {
  for (const auto& config : compiled_->configs)
    if (config.name == name) return &config;
  return nullptr;
}

const std::vector<core::RuleConfig>& RuleSet::rules() const { return compiled_->configs; }

bool RuleSet::empty() const { return compiled_->configs.empty(); }

}  // namespace forgehook::rules
