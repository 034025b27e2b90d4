#pragma once
// GitHub's webhook payload examples, for `forgehook send --example NAME`. NAME is
// <event>.<action> ("pull_request.opened"), or <event> for the first example of an event. Looked
// up in a directory of <name>.json files (the repository's examples/payloads/github/, found by
// walking up from the binary, or --examples-dir), then in @octokit/webhooks-examples where npm
// installed it (node_modules above the binary or the working directory). Not thread-safe.
#include <string>

namespace forgehook::cli {

struct ExamplePayload {
  std::string event;   // the X-GitHub-Event to send it as
  std::string json;    // the payload
  std::string source;  // the file it came from, for messages
};

// Requires: `name` non-empty. `examplesDir`: --examples-dir, or empty to look next to the binary.
// Throws std::runtime_error naming where it looked and every available name when `name` is not
// found.
[[nodiscard]] ExamplePayload findExamplePayload(const std::string& name, const std::string& examplesDir);

}  // namespace forgehook::cli
