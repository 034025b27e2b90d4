#include "store/body_codec.h"

#include <zstd.h>

#include <memory>

namespace forgehook::store {
namespace {

struct CctxDeleter {
  void operator()(ZSTD_CCtx* c) const { ZSTD_freeCCtx(c); }
};
struct DctxDeleter {
  void operator()(ZSTD_DCtx* d) const { ZSTD_freeDCtx(d); }
};

}  // namespace

EncodedBody encodeBody(std::string_view raw, int level) {
  if (level == 0 || raw.empty()) return {std::string(raw), "identity"};
  thread_local std::unique_ptr<ZSTD_CCtx, CctxDeleter> cctx(ZSTD_createCCtx());
  // Compress into a reused per-thread buffer, then copy out the few bytes used: sizing a fresh
  // string to the compression bound would zero-fill more than the body itself on every call.
  thread_local std::unique_ptr<char[]> scratch;
  thread_local std::size_t scratchSize = 0;
  const std::size_t bound = ZSTD_compressBound(raw.size());
  if (bound > scratchSize) {
    scratch.reset(new char[bound]);
    scratchSize = bound;
  }
  const std::size_t n = ZSTD_compressCCtx(cctx.get(), scratch.get(), bound, raw.data(), raw.size(), level);
  if (ZSTD_isError(n) || n >= raw.size()) return {std::string(raw), "identity"};
  EncodedBody out{std::string(scratch.get(), n), "zstd"};
  if (scratchSize > (1u << 20)) {  // a rare huge body must not pin its buffer to the thread
    scratch.reset();
    scratchSize = 0;
  }
  return out;
}

core::Result<std::string> decodeBody(std::string_view bytes, std::string_view encoding) {
  if (encoding == "identity") return std::string(bytes);
  if (encoding != "zstd") return std::unexpected(core::Error::internal("unknown body encoding"));
  const unsigned long long size = ZSTD_getFrameContentSize(bytes.data(), bytes.size());
  if (size == ZSTD_CONTENTSIZE_ERROR || size == ZSTD_CONTENTSIZE_UNKNOWN || size > (1ull << 31))
    return std::unexpected(core::Error::internal("corrupt stored body"));
  thread_local std::unique_ptr<ZSTD_DCtx, DctxDeleter> dctx(ZSTD_createDCtx());
  std::string out(size, '\0');
  const std::size_t n = ZSTD_decompressDCtx(dctx.get(), out.data(), out.size(), bytes.data(), bytes.size());
  if (ZSTD_isError(n) || n != size) return std::unexpected(core::Error::internal("corrupt stored body"));
  return out;
}

}  // namespace forgehook::store
