// forgehook completion bash|zsh: prints a completion script for the shell.
#include <CLI/CLI.hpp>
#include <iostream>
#include <memory>

#include "cli/commands.h"
#include "cli/completion_script.h"

namespace forgehook::cli {

void addCompletionCommand(CLI::App& app, int& exitCode) {
  auto shell = std::make_shared<std::string>();
  auto* c = app.add_subcommand("completion",
                               "Print a shell completion script: source <(forgehook completion bash), or for zsh "
                               "forgehook completion zsh > \"${fpath[1]}/_forgehook\"");
  c->add_option("shell", *shell, "bash or zsh")->required()->check(CLI::IsMember({"bash", "zsh"}));
  c->callback([c, shell, &exitCode] {
    const CLI::App& root = *c->get_parent();
    std::cout << (*shell == "bash" ? bashCompletion(root) : zshCompletion(root));
    exitCode = 0;
  });
}

}  // namespace forgehook::cli
