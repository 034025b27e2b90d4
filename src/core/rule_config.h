#pragma once
// The `[[rules]]` of forgehook's configuration: which deliveries run which command, and how. Parsed and
// checked by loadConfig (core/config.h); compiled and matched by rules::RuleSet. Plain values.
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace forgehook::core {

// One test on a payload value: the value at `pointer`, as a string (a JSON string as-is, a number or
// boolean as its JSON text), compared in exactly one way. A pointer the payload lacks fails the test.
struct RuleCondition {
  std::string pointer;                 // JSON Pointer (RFC 6901) into the payload, e.g. "/pull_request/base/ref"
  std::optional<std::string> equals;   // the whole value equals this
  std::vector<std::string> in;         // the whole value is one of these
  std::optional<std::string> matches;  // an RE2 regular expression found anywhere in the value (search,
                                       // not whole-value: anchor with ^...$ for that)
};

struct RuleConfig {
  std::string name;  // required, unique, [A-Za-z0-9_.-]{1,64}
  // Each empty: any. A delivery must match one entry of every non-empty list. repositories, branches
  // and tags allow '*' globs (any run of characters, '/' included).
  std::vector<std::string> forges, events, actions, repositories, branches, tags;
  std::vector<RuleCondition> when;   // all must hold
  std::vector<std::string> command;  // argv templates, non-empty; argv[0] an absolute path or a name found in PATH
  std::string workdir;               // template; "" = forgehook's data_dir
  std::vector<std::pair<std::string, std::string>> env;  // NAME -> template, names [A-Za-z_][A-Za-z0-9_]*
  std::vector<std::string> passEnv;       // copied from forgehook's own environment at run time, never stored or shown
  std::string payload = "stdin";          // "stdin" | "file" (path in FORGEHOOK_PAYLOAD_FILE) | "none"
  std::int64_t timeoutS = 60;             // 1..86400; then the process group is terminated
  std::int64_t concurrency = 1;           // runs of this rule at once, 1..64
  std::int64_t maxAttempts = 1;           // 1..20 (1 = no retry)
  std::int64_t retryDelayS = 10;          // first retry delay, doubles per attempt, 1..86400
  std::int64_t outputLimitBytes = 65536;  // stdout+stderr kept, 0..1048576
};

}  // namespace forgehook::core
