#include "forge/app_jwt.h"

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <algorithm>
#include <memory>
#include <nlohmann/json.hpp>

namespace forgehook::forge {
namespace {

struct BioDeleter {
  void operator()(BIO* b) const { BIO_free(b); }
};
struct KeyDeleter {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
struct MdCtxDeleter {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};
using Key = std::unique_ptr<EVP_PKEY, KeyDeleter>;

core::Error invalidKey(std::string why) {
  return core::Error::invalidArgument("invalid_app_key", "the GitHub App private key " + why);
}

core::Result<Key> readRsaKey(const std::string& pem) {
  std::unique_ptr<BIO, BioDeleter> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (!bio) return std::unexpected(core::Error::internal("cannot allocate a BIO"));
  // A null password callback keeps OpenSSL from prompting on a terminal for an encrypted key.
  Key key(PEM_read_bio_PrivateKey(bio.get(), nullptr, [](char*, int, int, void*) { return 0; }, nullptr));
  if (!key) return std::unexpected(invalidKey("is not a PEM private key (expected the .pem GitHub generated)"));
  if (EVP_PKEY_get_base_id(key.get()) != EVP_PKEY_RSA) return std::unexpected(invalidKey("is not an RSA key"));
  return key;
}

bool isDecimal(const std::string& text) {
  return !text.empty() && text.size() < 19 && std::ranges::all_of(text, [](char c) { return c >= '0' && c <= '9'; });
}

}  // namespace

std::string base64UrlEncode(std::string_view bytes) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    const unsigned v = (static_cast<unsigned char>(bytes[i]) << 16) | (static_cast<unsigned char>(bytes[i + 1]) << 8) |
                       static_cast<unsigned char>(bytes[i + 2]);
    out.push_back(kAlphabet[(v >> 18) & 63]);
    out.push_back(kAlphabet[(v >> 12) & 63]);
    out.push_back(kAlphabet[(v >> 6) & 63]);
    out.push_back(kAlphabet[v & 63]);
  }
  if (i + 1 == bytes.size()) {
    const unsigned v = static_cast<unsigned char>(bytes[i]) << 16;
    out.push_back(kAlphabet[(v >> 18) & 63]);
    out.push_back(kAlphabet[(v >> 12) & 63]);
  } else if (i + 2 == bytes.size()) {
    const unsigned v = (static_cast<unsigned char>(bytes[i]) << 16) | (static_cast<unsigned char>(bytes[i + 1]) << 8);
    out.push_back(kAlphabet[(v >> 18) & 63]);
    out.push_back(kAlphabet[(v >> 12) & 63]);
    out.push_back(kAlphabet[(v >> 6) & 63]);
  }
  return out;
}

core::Result<void> checkAppPrivateKey(const std::string& privateKeyPem) {
  auto key = readRsaKey(privateKeyPem);
  if (!key) return std::unexpected(key.error());
  return {};
}

core::Result<std::string> makeAppJwt(const std::string& appId, const std::string& privateKeyPem,
                                     std::int64_t nowSeconds) {
  auto key = readRsaKey(privateKeyPem);
  if (!key) return std::unexpected(key.error());
  nlohmann::json claims{{"iat", nowSeconds - 60}, {"exp", nowSeconds + 540}};
  // GitHub takes the numeric App ID or the App's client ID ("Iv1.…") as issuer.
  if (isDecimal(appId))
    claims["iss"] = std::stoll(appId);
  else
    claims["iss"] = appId;
  std::string token = base64UrlEncode(R"({"alg":"RS256","typ":"JWT"})");
  token.append(".").append(base64UrlEncode(claims.dump()));
  std::unique_ptr<EVP_MD_CTX, MdCtxDeleter> ctx(EVP_MD_CTX_new());
  std::size_t size = 0;
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key->get()) != 1 ||
      EVP_DigestSign(ctx.get(), nullptr, &size, reinterpret_cast<const unsigned char*>(token.data()), token.size()) != 1)
    return std::unexpected(core::Error::internal("cannot sign the GitHub App JWT"));
  std::string signature(size, '\0');
  if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(signature.data()), &size,
                     reinterpret_cast<const unsigned char*>(token.data()), token.size()) != 1)
    return std::unexpected(core::Error::internal("cannot sign the GitHub App JWT"));
  signature.resize(size);
  token.append(".").append(base64UrlEncode(signature));
  return token;
}

}  // namespace forgehook::forge
