#pragma once
// The forges forgehook receives from, and their wire names: the one spelling used in URLs
// (/webhooks/<name>), the store's forge column, metrics labels and secret scopes. Thread-safe.
#include <array>
#include <optional>
#include <string_view>

namespace forgehook::core {

enum class Forge { GitHub, GitLab, Gitea };

// Every forge, in the order lists and messages name them.
inline constexpr std::array<Forge, 3> kForges{Forge::GitHub, Forge::GitLab, Forge::Gitea};

// "github", "gitlab" or "gitea".
[[nodiscard]] constexpr std::string_view forgeName(Forge forge) {
  switch (forge) {
    case Forge::GitHub:
      return "github";
    case Forge::GitLab:
      return "gitlab";
    case Forge::Gitea:
      return "gitea";
  }
  return {};
}

// The forge whose wire name is exactly `name` (lower case, no spaces); nothing otherwise.
[[nodiscard]] constexpr std::optional<Forge> parseForge(std::string_view name) {
  for (const Forge forge : kForges)
    if (forgeName(forge) == name) return forge;
  return std::nullopt;
}

// "github, gitlab or gitea", for messages that list the accepted values.
[[nodiscard]] constexpr std::string_view knownForgesText() { return "github, gitlab or gitea"; }

}  // namespace forgehook::core
