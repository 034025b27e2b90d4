#include "rules/template.h"

#include <array>
#include <utility>

#include "core/json_pointer.h"

namespace forgehook::rules {
namespace {

constexpr std::array<std::pair<std::string_view, Builtin>, 10> kBuiltins{{
    {"delivery_id", Builtin::DeliveryId},
    {"delivery", Builtin::Delivery},
    {"forge", Builtin::Forge},
    {"event", Builtin::Event},
    {"action", Builtin::Action},
    {"repository", Builtin::Repository},
    {"branch", Builtin::Branch},
    {"tag", Builtin::Tag},
    {"ref", Builtin::Ref},
    {"rule", Builtin::Rule},
}};

std::string_view trimmed(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  return s;
}

}  // namespace

std::expected<Template, std::string> Template::compile(std::string_view text) {
  Template out;
  std::string literal;
  std::size_t i = 0;
  while (i < text.size()) {
    if (text.substr(i, 4) == "{{{{") {
      literal += "{{";
      i += 4;
      continue;
    }
    if (text.substr(i, 2) != "{{") {
      literal += text[i++];
      continue;
    }
    const std::size_t close = text.find("}}", i + 2);
    if (close == std::string_view::npos)
      return std::unexpected("unclosed \"{{\" (write \"{{{{\" for a literal \"{{\")");
    const std::string_view inside = trimmed(text.substr(i + 2, close - i - 2));
    Part part;
    part.written = std::string(inside);
    if (inside.starts_with('/')) {
      part.pointer = core::parseJsonPointer(inside);
      if (!part.pointer) return std::unexpected("bad JSON Pointer {{" + part.written + "}} ('~' only as ~0 or ~1)");
    } else {
      for (const auto& [name, which] : kBuiltins)
        if (name == inside) part.builtin = which;
      if (!part.builtin)
        return std::unexpected("unknown placeholder {{" + part.written + "}}" +
                               " (a JSON Pointer such as {{/pull_request/title}}, or delivery_id, delivery, forge, "
                               "event, action, repository, branch, tag, ref, rule)");
    }
    if (!literal.empty()) out.parts_.push_back(Part{std::exchange(literal, {}), {}, {}, {}});
    out.parts_.push_back(std::move(part));
    i = close + 2;
  }
  if (!literal.empty()) out.parts_.push_back(Part{std::move(literal), {}, {}, {}});
  return out;
}

std::expected<std::string, std::string> Template::render(const TemplateValues& values) const {
  std::string out;
  for (const Part& part : parts_) {
    if (part.pointer) {
      const auto value = values.pointer(*part.pointer);
      if (!value) return std::unexpected(part.written + " is not in the payload");
      out += *value;
    } else if (part.builtin) {
      const std::string value = values.builtin(*part.builtin);
      if (value.empty()) return std::unexpected("{{" + part.written + "}} has no value for this delivery");
      out += value;
    } else {
      out += part.literal;
    }
  }
  return out;
}

bool Template::hasPlaceholders() const {
  for (const Part& part : parts_)
    if (part.pointer || part.builtin) return true;
  return false;
}

bool Template::readsPayload() const {
  for (const Part& part : parts_)
    if (part.pointer) return true;
  return false;
}

}  // namespace forgehook::rules
