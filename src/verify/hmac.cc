#include "verify/hmac.h"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include <algorithm>
#include <climits>
#include <memory>
#include <utility>

namespace forgehook::verify {
namespace {

struct MacCtxDeleter {
  void operator()(EVP_MAC_CTX* c) const { EVP_MAC_CTX_free(c); }
};

// A per-thread HMAC context with its digest already chosen. Fetching the MAC and the digest by name
// takes OpenSSL 3 locks and lookups that cost more than hashing a whole payload, so each thread does
// it once and afterwards only re-keys the context. Null when OpenSSL cannot provide it.
EVP_MAC_CTX* threadContext(const char* digest) {
  struct Contexts {
    std::unique_ptr<EVP_MAC_CTX, MacCtxDeleter> sha256, sha1;
  };
  thread_local Contexts contexts;
  auto& slot = std::string_view(digest) == "SHA256" ? contexts.sha256 : contexts.sha1;
  if (!slot) {
    static EVP_MAC* const mac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);  // shared, immutable
    if (!mac) return nullptr;
    std::unique_ptr<EVP_MAC_CTX, MacCtxDeleter> ctx(EVP_MAC_CTX_new(mac));
    if (!ctx) return nullptr;
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, const_cast<char*>(digest), 0),
        OSSL_PARAM_construct_end(),
    };
    if (EVP_MAC_CTX_set_params(ctx.get(), params) != 1) return nullptr;
    slot = std::move(ctx);
  }
  return slot.get();
}

// Empty on an OpenSSL failure; callers never accept an empty MAC as a match.
std::string hmacRaw(const char* digest, std::string_view key, std::string_view data) {
  EVP_MAC_CTX* ctx = threadContext(digest);
  if (!ctx) return {};
  // A null key means "keep the previous key" to EVP_MAC_init; an empty key must still be set.
  static const unsigned char kEmpty = 0;
  const auto* keyBytes = key.empty() ? &kEmpty : reinterpret_cast<const unsigned char*>(key.data());
  if (EVP_MAC_init(ctx, keyBytes, key.size(), nullptr) != 1) return {};
  if (EVP_MAC_update(ctx, reinterpret_cast<const unsigned char*>(data.data()), data.size()) != 1) return {};
  unsigned char out[EVP_MAX_MD_SIZE];
  std::size_t length = 0;
  if (EVP_MAC_final(ctx, out, &length, sizeof out) != 1) return {};
  return std::string(reinterpret_cast<const char*>(out), length);
}

std::string toHex(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (const unsigned char c : bytes) {
    out.push_back(kDigits[c >> 4]);
    out.push_back(kDigits[c & 0x0f]);
  }
  return out;
}

bool isBase64Char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '/';
}

}  // namespace

std::string hmacSha256Hex(std::string_view key, std::string_view data) { return toHex(hmacRaw("SHA256", key, data)); }

std::string hmacSha1Hex(std::string_view key, std::string_view data) { return toHex(hmacRaw("SHA1", key, data)); }

std::string hmacSha256Raw(std::string_view key, std::string_view data) { return hmacRaw("SHA256", key, data); }

std::string normalizeHex(std::string_view hex, std::size_t digits) {
  if (hex.size() != digits) return {};
  std::string out;
  out.reserve(hex.size());
  for (const char c : hex) {
    if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')) {
      out.push_back(c);
    } else if (c >= 'A' && c <= 'F') {
      out.push_back(static_cast<char>(c - 'A' + 'a'));
    } else {
      return {};
    }
  }
  return out;
}

bool constantTimeEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  if (a.empty()) return true;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::string secretDigest(std::string_view secret) { return hmacSha256Raw("forgehook secret compare", secret); }

bool secretEquals(std::string_view a, std::string_view b) {
  return constantTimeEquals(secretDigest(a), secretDigest(b));
}

std::string base64Encode(std::string_view data) {
  // EVP_EncodeBlock takes an int length; whole 3-byte groups per chunk keep the output one stream.
  constexpr std::size_t kChunk = 3 * 1024;
  std::string out;
  out.reserve((data.size() + 2) / 3 * 4);
  unsigned char block[kChunk / 3 * 4 + 1];
  for (std::size_t pos = 0; pos < data.size(); pos += kChunk) {
    const std::string_view part = data.substr(pos, kChunk);
    const int n =
        EVP_EncodeBlock(block, reinterpret_cast<const unsigned char*>(part.data()), static_cast<int>(part.size()));
    out.append(reinterpret_cast<const char*>(block), static_cast<std::size_t>(n));
  }
  return out;
}

bool base64Decode(std::string_view text, std::string& out) {
  // EVP_DecodeBlock tolerates surrounding whitespace and misplaced '='; validate strictly first.
  if (text.size() % 4 != 0 || text.size() > INT_MAX) return false;
  std::size_t padding = 0;
  if (!text.empty() && text.back() == '=') padding = text[text.size() - 2] == '=' ? 2 : 1;
  const std::string_view body = text.substr(0, text.size() - padding);
  if (!std::all_of(body.begin(), body.end(), isBase64Char)) return false;
  std::string decoded(text.size() / 4 * 3, '\0');
  const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(decoded.data()),
                                reinterpret_cast<const unsigned char*>(text.data()), static_cast<int>(text.size()));
  if (n < 0 || static_cast<std::size_t>(n) < padding) return false;
  // The returned length counts the zero bytes that padding stands for.
  decoded.resize(static_cast<std::size_t>(n) - padding);
  out = std::move(decoded);
  return true;
}

}  // namespace forgehook::verify
