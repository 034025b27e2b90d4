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
  if (level <= 0 || raw.empty()) return {std::string(raw), "identity"};
  thread_local std::unique_ptr<ZSTD_CCtx, CctxDeleter> cctx(ZSTD_createCCtx());
  std::string out;
  out.resize(ZSTD_compressBound(raw.size()));
  const std::size_t n = ZSTD_compressCCtx(cctx.get(), out.data(), out.size(), raw.data(), raw.size(), level);
  if (ZSTD_isError(n) || n >= raw.size()) return {std::string(raw), "identity"};
  out.resize(n);
  return {std::move(out), "zstd"};
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
