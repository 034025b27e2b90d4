#pragma once
// One RSA key pair per test run (made once, 2048 bits), with base64url decoding and an RS256
// verifier, so App JWTs are checked the way GitHub checks them.
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include <string>

namespace forgehook::forge {

struct TestRsaKey {
  std::string privatePem;
  std::string publicPem;
  EVP_PKEY* key = nullptr;
};

inline std::string bioText(BIO* bio) {
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<std::size_t>(size));
}

inline const TestRsaKey& testRsaKey() {
  static const TestRsaKey made = [] {
    TestRsaKey k;
    k.key = EVP_RSA_gen(2048);
    BIO* priv = BIO_new(BIO_s_mem());
    PEM_write_bio_PrivateKey(priv, k.key, nullptr, nullptr, 0, nullptr, nullptr);
    k.privatePem = bioText(priv);
    BIO_free(priv);
    BIO* pub = BIO_new(BIO_s_mem());
    PEM_write_bio_PUBKEY(pub, k.key);
    k.publicPem = bioText(pub);
    BIO_free(pub);
    return k;
  }();
  return made;
}

inline std::string base64UrlDecode(std::string text) {
  for (char& c : text) c = c == '-' ? '+' : c == '_' ? '/' : c;
  while (text.size() % 4 != 0) text.push_back('=');
  std::string out(text.size() / 4 * 3, '\0');
  const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(text.data()), static_cast<int>(text.size()));
  if (n < 0) return {};
  std::size_t padding = 0;
  for (auto it = text.rbegin(); it != text.rend() && *it == '='; ++it) ++padding;
  out.resize(static_cast<std::size_t>(n) - padding);
  return out;
}

// Whether `signature` is an RS256 signature of `signedText` by the test key (checked with the public key).
inline bool verifyRs256(const std::string& signedText, const std::string& signature) {
  BIO* bio = BIO_new_mem_buf(testRsaKey().publicPem.data(), static_cast<int>(testRsaKey().publicPem.size()));
  EVP_PKEY* pub = PEM_read_bio_PUBKEY(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  const bool ok = pub && EVP_DigestVerifyInit(ctx, nullptr, EVP_sha256(), nullptr, pub) == 1 &&
                  EVP_DigestVerify(ctx, reinterpret_cast<const unsigned char*>(signature.data()), signature.size(),
                                   reinterpret_cast<const unsigned char*>(signedText.data()), signedText.size()) == 1;
  EVP_MD_CTX_free(ctx);
  EVP_PKEY_free(pub);
  return ok;
}

}  // namespace forgehook::forge
