#include "cli/forge_option.h"

#include <CLI/CLI.hpp>
#include <vector>

namespace forgehook::cli {

CLI::Option* addForgeOption(CLI::App& command, std::string& forge, ForgeCheck check, std::string_view purpose) {
  std::string help(core::knownForgesText());
  if (!purpose.empty()) help += ": " + std::string(purpose);
  auto* option = command.add_option("--forge", forge, help);
  if (check == ForgeCheck::OnParse) {
    std::vector<std::string> names;
    for (const core::Forge f : core::kForges) names.emplace_back(core::forgeName(f));
    option->check(CLI::IsMember(names));
  }
  return option;
}

}  // namespace forgehook::cli
