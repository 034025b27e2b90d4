#include "core/form.h"

#include <cctype>

namespace forgehook::core {

bool percentDecode(std::string_view in, std::string& out) {
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  out.clear();
  out.reserve(in.size());
  for (std::size_t i = 0; i < in.size(); ++i) {
    const char c = in[i];
    if (c == '+') {
      out += ' ';
    } else if (c == '%') {
      if (i + 2 >= in.size()) return false;
      const int hi = hex(in[i + 1]), lo = hex(in[i + 2]);
      if (hi < 0 || lo < 0) return false;
      out += static_cast<char>(hi * 16 + lo);
      i += 2;
    } else {
      out += c;
    }
  }
  return true;
}

Result<std::optional<std::string>> formField(std::string_view form, std::string_view name) {
  std::string_view rest = form;
  while (!rest.empty()) {
    const auto amp = rest.find('&');
    const std::string_view pair = rest.substr(0, amp);
    rest = amp == std::string_view::npos ? std::string_view{} : rest.substr(amp + 1);
    const auto eq = pair.find('=');
    std::string key;
    if (!percentDecode(pair.substr(0, eq), key) || key != name) continue;
    std::string value;
    if (eq != std::string_view::npos && !percentDecode(pair.substr(eq + 1), value))
      return std::unexpected(Error::invalidArgument("malformed_form", "the " + key + " field is not percent-encoded"));
    return std::optional<std::string>(std::move(value));
  }
  return std::optional<std::string>{};
}

Result<std::string> decodeFormPayload(std::string_view formBody) {
  auto payload = formField(formBody, "payload");
  if (!payload) return std::unexpected(payload.error());
  if (!*payload) return std::unexpected(Error::invalidArgument("malformed_form", "form body has no payload field"));
  if ((*payload)->empty())
    return std::unexpected(Error::invalidArgument("malformed_form", "the form's payload field is empty"));
  return std::move(**payload);
}

std::string payloadJson(std::string_view contentType, std::string_view rawBody) {
  if (contentType == "application/x-www-form-urlencoded") {
    auto decoded = decodeFormPayload(rawBody);
    return decoded ? std::move(*decoded) : std::string();
  }
  return std::string(rawBody);
}

std::string percentEncode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (const char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      out.push_back(ch);
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

}  // namespace forgehook::core
