#pragma once
// The {{...}} templates of a rule's command, env and workdir. A placeholder is a JSON Pointer into the
// payload ({{/pull_request/title}}) or a built-in ({{branch}}); `{{{{` writes a literal `{{`. A
// rendered template is one string whatever the values hold: no splitting, no quoting, no shell.
// Immutable after compile; thread-safe.
#include <expected>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace forgehook::rules {

enum class Builtin { DeliveryId, Delivery, Forge, Event, Action, Repository, Branch, Tag, Ref, Rule };

// Where a template's values come from, for one delivery.
class TemplateValues {
 public:
  virtual ~TemplateValues() = default;
  // "" when the delivery has none (a push has no action).
  [[nodiscard]] virtual std::string builtin(Builtin which) const = 0;
  [[nodiscard]] virtual std::optional<std::string> pointer(const std::vector<std::string>& tokens) const = 0;
};

class Template {
 public:
  // Errors (a message for people): an unclosed "{{", an empty or unknown placeholder, a bad pointer.
  [[nodiscard]] static std::expected<Template, std::string> compile(std::string_view text);

  // The text with every placeholder replaced. Errors: "/x is not in the payload", "{{branch}} has no
  // value for this delivery": a command must not run with a value silently left out.
  [[nodiscard]] std::expected<std::string, std::string> render(const TemplateValues& values) const;

  [[nodiscard]] bool readsPayload() const;     // has a {{/pointer}}
  [[nodiscard]] bool hasPlaceholders() const;  // has any placeholder

 private:
  struct Part {
    std::string literal;                              // when neither of the others is set
    std::optional<std::vector<std::string>> pointer;  // {{/a/b}}: its tokens
    std::optional<Builtin> builtin;
    std::string written;  // what is inside the braces, for errors
  };
  std::vector<Part> parts_;
};

}  // namespace forgehook::rules
