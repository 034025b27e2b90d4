#pragma once
// Shell completion scripts generated from the CLI11 app itself (its subcommands and options), so
// they list exactly what the binary accepts and never go stale.
#include <string>

namespace CLI {
class App;
}

namespace forgehook::cli {

// A bash script defining _forgehook and `complete -F _forgehook forgehook`.
[[nodiscard]] std::string bashCompletion(const CLI::App& app);
// A zsh script (#compdef forgehook) with the commands' and options' descriptions.
[[nodiscard]] std::string zshCompletion(const CLI::App& app);

}  // namespace forgehook::cli
