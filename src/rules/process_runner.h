#pragma once
// Running one command to its end: no shell, a complete environment of our making, its own process
// group that is killed whole, output drained and bounded. Thread-safe; blocks the calling thread.
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "rules/rule_set.h"

namespace forgehook::rules {

struct ProcessSpec {
  std::vector<std::string> argv;  // argv[0]: an absolute path, or a name looked up in this env's PATH
  std::vector<std::pair<std::string, std::string>> env;  // the COMPLETE environment of the child (nothing inherited)
  std::string workdir;                                   // "" = forgehook's own working directory
  std::optional<std::string> stdinData;  // written to the child's stdin (then closed); nothing: /dev/null
  std::chrono::milliseconds timeout{60'000};
  std::chrono::milliseconds killGrace{2000};  // SIGTERM to the group, then SIGKILL after this
  std::size_t outputLimit = 65536;            // stdout+stderr interleaved, kept up to this many bytes
  // Set (from another thread) to end the run early, as at the timeout: SIGTERM to the group, then
  // SIGKILL after killGrace. Seen within ~100 ms. For forgehook's own shutdown.
  const std::atomic<bool>* cancel = nullptr;
};

struct ProcessResult {
  enum class End { Exited, Signaled, TimedOut, FailedToStart };
  End end = End::FailedToStart;
  int exitCode = -1;   // Exited (also a TimedOut one that exited by itself after SIGTERM)
  int signal = 0;      // Signaled (or the signal that ended a TimedOut one)
  std::string output;  // truncated to outputLimit
  bool outputTruncated = false;
  std::string error;  // FailedToStart: why (errno text: "No such file or directory: /usr/bin/x")
  std::int64_t pid = 0;
  std::chrono::milliseconds duration{0};
  [[nodiscard]] bool succeeded() const { return end == End::Exited && exitCode == 0; }
};

// Runs the process to its end. Blocks the calling thread (never an I/O thread). Thread-safe.
// The child leads a new session and process group: at the timeout the WHOLE group gets SIGTERM, then
// SIGKILL after killGrace; when the leader exits, what is left of its group gets SIGKILL (no orphans).
// Output is drained while it runs (a chatty child never blocks on a full pipe); stdin is written
// without blocking on a child that does not read it. Never uses a shell; the child inherits no other
// descriptor, default signal dispositions and an empty signal mask.
[[nodiscard]] ProcessResult runProcess(const ProcessSpec& spec);

using Environment = std::vector<std::pair<std::string, std::string>>;

// What forgehook tells a command about its run.
struct RunFacts {
  std::string deliveryGuid;  // the forge's delivery id
  std::int64_t delivery = 0;  // forgehook's
  std::string forge, event, action, repository, rule;
  std::optional<std::int64_t> runId;  // none in a dry run: the run does not exist yet
  std::int64_t attempt = 1;
  bool rerunAfterCrash = false;
  std::string payloadFile;  // payload = "file": its path; "" otherwise
};

// The FORGEHOOK_* variables of a run, in the order they are set: the one list both the scheduler and
// the dry run (`rules test`) use.
[[nodiscard]] Environment runVariables(const RunFacts& run);

// The environment a command gets: PATH (forgehook's, else "/usr/local/bin:/usr/bin:/bin"), LANG, LC_ALL
// and HOME (from forgehook's own environment when set), each `passEnv` name present in forgehook's
// environment, `extra` (runVariables()) and the rule's resolved `ruleEnv`; a later entry replaces an
// earlier one of the same name. Never forgehook's other variables (FORGEHOOK_ADMIN_TOKEN,
// FORGEHOOK_MASTER_KEY...).
[[nodiscard]] Environment commandEnvironment(const Environment& ruleEnv, const std::vector<std::string>& passEnv,
                                             const Environment& extra);

}  // namespace forgehook::rules
