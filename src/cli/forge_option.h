#pragma once
// What the CLI knows per forge: the --forge option (the wire names of core/forge.h, checked on
// parse and offered by shell completion) and the environment variable that configures a forge's
// secrets, for messages. Thread-safe.
#include <string>
#include <string_view>

#include "core/forge.h"

namespace CLI {
class App;
class Option;
}  // namespace CLI

namespace forgehook::cli {

// Whether --forge is checked when the command line is parsed (and its values offered by shell
// completion), or passed on for the server to judge, as the list filters are.
enum class ForgeCheck { OnParse, ByServer };

// Adds --forge to `command`, bound to `forge`, its help naming the core::forgeName values.
// `purpose` ends the help text ("github, gitlab or gitea: <purpose>"); empty for none.
CLI::Option* addForgeOption(CLI::App& command, std::string& forge, ForgeCheck check, std::string_view purpose = {});

// The variable `serve` reads the accepted secrets of `forge` from, for messages. The server's
// definition is ingest::ForgeScheme::secretEnvVar(), which the CLI cannot link;
// tests/integration/cli_send_example.test.mjs checks that the two agree (GitLab, Gitea).
[[nodiscard]] constexpr std::string_view secretEnvVar(core::Forge forge) {
  switch (forge) {
    case core::Forge::GitHub:
      return "FORGEHOOK_GITHUB_SECRET";
    case core::Forge::GitLab:
      return "FORGEHOOK_GITLAB_TOKEN";
    case core::Forge::Gitea:
      return "FORGEHOOK_GITEA_SECRET";
  }
  return {};
}

}  // namespace forgehook::cli
