#pragma once
// How stored bodies are encoded. GitHub payloads are repetitive JSON (URLs repeat the repository
// path dozens of times), so zstd at a low level shrinks them several-fold for little CPU, which is
// what lets a durable commit keep up with the network. Thread-safe (per-thread zstd contexts).
#include <string>
#include <string_view>

#include "core/error.h"

namespace forgehook::store {

struct EncodedBody {
  std::string bytes;
  std::string encoding;  // "identity" | "zstd"
};

// level 0 keeps the body as is; -7..-1 (zstd's fast levels) and 1..19 compress with zstd (kept as
// is if that is not smaller).
[[nodiscard]] EncodedBody encodeBody(std::string_view raw, int level);

// Errors: Internal for an unknown encoding or corrupt data.
[[nodiscard]] core::Result<std::string> decodeBody(std::string_view bytes, std::string_view encoding);

}  // namespace forgehook::store
