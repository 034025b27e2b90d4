// core/form on any text: percent-decoding, one field of a form or query string, and a form body's
// JSON payload (the webhook path decodes GitHub's and Gitea's form hooks with it). Input: the text.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/form.h"
#include "fuzz/fuzz_check.h"

namespace {

using forgehook::fuzz::check;

// Every byte as %XX, the one encoding percentDecode must always undo exactly.
std::string percentEncoded(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (const unsigned char c : text) {
    out += '%';
    out += kHex[c >> 4];
    out += kHex[c & 15];
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace core = forgehook::core;
  const std::string_view text(reinterpret_cast<const char*>(data), size);

  std::string decoded;
  if (core::percentDecode(text, decoded)) {
    check(decoded.size() <= text.size(), "percentDecode never grows its input");
    std::string again;
    check(core::percentDecode(percentEncoded(decoded), again) && again == decoded,
          "percentDecode undoes percent-encoding");
  }

  const auto field = core::formField(text, "payload");
  const auto payload = core::decodeFormPayload(text);
  if (payload) {
    check(!payload->empty(), "a decoded form payload is not empty");
    check(field && *field && **field == *payload, "decodeFormPayload is the payload field");
  } else {
    check(payload.error().reason == "malformed_form", "a form payload fails only as malformed_form");
  }
  return 0;
}
