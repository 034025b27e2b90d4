#include "core/secret_box.h"

#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include <cctype>
#include <memory>
#include <stdexcept>
#include <vector>

namespace forgehook::core {
namespace {

constexpr std::string_view kPrefix = "fh1:";
constexpr std::size_t kIdChars = 8;
constexpr std::size_t kNonceBytes = 12;
constexpr std::size_t kTagBytes = 16;

using CipherCtx = std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)>;

CipherCtx newCtx() {
  CipherCtx ctx(EVP_CIPHER_CTX_new(), &EVP_CIPHER_CTX_free);
  if (!ctx) throw std::runtime_error("OpenSSL: cannot allocate a cipher context");
  return ctx;
}

std::string hexOf(const unsigned char* data, std::size_t size) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(size * 2);
  for (std::size_t i = 0; i < size; ++i) {
    out += kHex[data[i] >> 4];
    out += kHex[data[i] & 0xf];
  }
  return out;
}

std::string keyIdOf(const std::array<unsigned char, kSecretKeyBytes>& bytes) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(bytes.data(), bytes.size(), digest);
  return hexOf(digest, SHA256_DIGEST_LENGTH).substr(0, kIdChars);
}

int hexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string base64Encode(const unsigned char* data, std::size_t size) {
  std::string out(4 * ((size + 2) / 3), '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), data, static_cast<int>(size));
  out.resize(static_cast<std::size_t>(n));
  return out;
}

// Strict standard base64 with padding; nullopt for anything else.
std::optional<std::vector<unsigned char>> base64Decode(std::string_view text) {
  if (text.empty() || text.size() % 4 != 0) return std::nullopt;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    const bool padding = c == '=' && i + 2 >= text.size();
    if (!padding && !std::isalnum(static_cast<unsigned char>(c)) && c != '+' && c != '/') return std::nullopt;
  }
  std::vector<unsigned char> out(text.size() / 4 * 3);
  const int n =
      EVP_DecodeBlock(out.data(), reinterpret_cast<const unsigned char*>(text.data()), static_cast<int>(text.size()));
  if (n < 0) return std::nullopt;
  // EVP_DecodeBlock counts the padding as zero bytes.
  std::size_t size = static_cast<std::size_t>(n);
  if (text.ends_with("=="))
    size -= 2;
  else if (text.ends_with("="))
    size -= 1;
  out.resize(size);
  return out;
}

Error malformedKey() {
  return Error::invalidArgument("malformed_master_key",
                                "a master key is 64 hex characters or the base64 of 32 bytes "
                                "(generate one with: openssl rand -hex 32)");
}

}  // namespace

Error undecryptable(std::string_view keyId, std::string_view why) {
  Error e = Error::internal("");
  e.reason = "secret_undecryptable";
  e.message.append("a stored secret sealed under key ").append(keyId).append(" cannot be opened: ").append(why);
  return e;
}

Result<SecretKey> parseSecretKey(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) text.remove_prefix(1);
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.remove_suffix(1);
  SecretKey key;
  if (text.size() == 2 * kSecretKeyBytes) {
    for (std::size_t i = 0; i < kSecretKeyBytes; ++i) {
      const int hi = hexValue(text[2 * i]), lo = hexValue(text[2 * i + 1]);
      if (hi < 0 || lo < 0) return std::unexpected(malformedKey());
      key.bytes[i] = static_cast<unsigned char>(hi << 4 | lo);
    }
  } else {
    const auto raw = base64Decode(text);
    if (!raw || raw->size() != kSecretKeyBytes) return std::unexpected(malformedKey());
    std::copy(raw->begin(), raw->end(), key.bytes.begin());
  }
  key.id = keyIdOf(key.bytes);
  return key;
}

SecretKey generateSecretKey() {
  SecretKey key;
  if (RAND_bytes(key.bytes.data(), static_cast<int>(key.bytes.size())) != 1) throw std::runtime_error("CSPRNG failure");
  key.id = keyIdOf(key.bytes);
  return key;
}

std::string secretKeyHex(const SecretKey& key) { return hexOf(key.bytes.data(), key.bytes.size()); }

std::string sealWith(const SecretKey& key, std::string_view plain) {
  std::vector<unsigned char> box(kNonceBytes + plain.size() + kTagBytes);
  unsigned char* nonce = box.data();
  unsigned char* cipher = box.data() + kNonceBytes;
  if (RAND_bytes(nonce, kNonceBytes) != 1) throw std::runtime_error("CSPRNG failure");
  auto ctx = newCtx();
  int n = 0;
  bool ok = EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, key.bytes.data(), nonce) == 1 &&
            EVP_EncryptUpdate(ctx.get(), nullptr, &n, reinterpret_cast<const unsigned char*>(key.id.data()),
                              static_cast<int>(key.id.size())) == 1 &&
            EVP_EncryptUpdate(ctx.get(), cipher, &n, reinterpret_cast<const unsigned char*>(plain.data()),
                              static_cast<int>(plain.size())) == 1 &&
            EVP_EncryptFinal_ex(ctx.get(), cipher + n, &n) == 1 &&
            EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, kTagBytes, cipher + plain.size()) == 1;
  if (!ok) throw std::runtime_error("OpenSSL: AES-256-GCM encryption failed");
  std::string out(kPrefix);
  out.append(key.id).append(":").append(base64Encode(box.data(), box.size()));
  return out;
}

Result<std::string> openWith(const SecretKey& key, std::string_view sealed) {
  const auto id = sealedKeyId(sealed);
  if (!id) return std::unexpected(undecryptable("(none)", "the value is not sealed"));
  if (*id != key.id) return std::unexpected(undecryptable(*id, "it is not the key given"));
  const auto box = base64Decode(sealed.substr(kPrefix.size() + kIdChars + 1));
  if (!box || box->size() < kNonceBytes + kTagBytes)
    return std::unexpected(undecryptable(*id, "the value is malformed"));
  const std::size_t cipherSize = box->size() - kNonceBytes - kTagBytes;
  const unsigned char* nonce = box->data();
  const unsigned char* cipher = box->data() + kNonceBytes;
  std::vector<unsigned char> tag(cipher + cipherSize, cipher + cipherSize + kTagBytes);
  std::string plain(cipherSize, '\0');
  auto* out = reinterpret_cast<unsigned char*>(plain.data());
  auto ctx = newCtx();
  int n = 0;
  const bool ok = EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, key.bytes.data(), nonce) == 1 &&
                  EVP_DecryptUpdate(ctx.get(), nullptr, &n, reinterpret_cast<const unsigned char*>(key.id.data()),
                                    static_cast<int>(key.id.size())) == 1 &&
                  EVP_DecryptUpdate(ctx.get(), out, &n, cipher, static_cast<int>(cipherSize)) == 1 &&
                  EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, kTagBytes, tag.data()) == 1 &&
                  EVP_DecryptFinal_ex(ctx.get(), out + n, &n) == 1;
  if (!ok)
    return std::unexpected(undecryptable(*id, "the key is wrong or the value was altered (authentication failed)"));
  return plain;
}

bool isSealed(std::string_view text) { return sealedKeyId(text).has_value(); }

std::optional<std::string> sealedKeyId(std::string_view text) {
  if (!text.starts_with(kPrefix) || text.size() < kPrefix.size() + kIdChars + 1) return std::nullopt;
  const std::string_view id = text.substr(kPrefix.size(), kIdChars);
  for (char c : id)
    if (hexValue(c) < 0 || (c >= 'A' && c <= 'F')) return std::nullopt;
  if (text[kPrefix.size() + kIdChars] != ':') return std::nullopt;
  return std::string(id);
}

}  // namespace forgehook::core
