#pragma once
// Names the calling thread (Linux: at most 15 characters, longer names are cut), so `top -H`,
// `perf` and gdb show which of forgehook's threads does what: fh-io-N, fh-stream-N, fh-intake,
// fh-pipeline, fh-hub, fh-checkpoint, fh-housekeeping.
#include <string>

namespace forgehook::core {

void nameThisThread(const std::string& name);

}  // namespace forgehook::core
