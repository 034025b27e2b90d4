#pragma once
// The one error type of forgehook's request path: a closed set of codes (leveldb-style), a stable
// machine-readable reason such as "invalid_signature", and a human message that never holds secrets.
#include <expected>
#include <string>

namespace forgehook::core {

enum class Code {
  InvalidArgument,       // 400
  Unauthenticated,       // 401
  Forbidden,             // 403: authenticated, but not allowed (a read-only token changing something)
  NotFound,              // 404
  MethodNotAllowed,      // 405
  Conflict,              // 409
  TooLarge,              // 413
  UnsupportedMediaType,  // 415
  RateLimited,           // 429
  HeadersTooLarge,       // 431
  Internal,              // 500
  Unavailable,           // 503
};

struct Error {
  Code code = Code::Internal;
  std::string reason;         // stable snake_case code for clients, e.g. "invalid_signature"
  std::string message;        // for people; never contains a secret, token or signature
  int retryAfterSeconds = 0;  // sent as Retry-After when > 0 (429, 503)

  [[nodiscard]] static Error invalidArgument(std::string reason, std::string message);
  [[nodiscard]] static Error unauthenticated(std::string reason, std::string message);
  [[nodiscard]] static Error forbidden(std::string message);  // reason "forbidden"
  [[nodiscard]] static Error notFound(std::string message);
  [[nodiscard]] static Error methodNotAllowed(std::string message);
  [[nodiscard]] static Error conflict(std::string reason, std::string message);
  [[nodiscard]] static Error tooLarge(std::string message);
  [[nodiscard]] static Error unsupportedMediaType(std::string message);
  [[nodiscard]] static Error rateLimited(std::string message, int retryAfterSeconds);
  [[nodiscard]] static Error headersTooLarge(std::string message);
  [[nodiscard]] static Error internal(std::string message);
  [[nodiscard]] static Error unavailable(std::string reason, std::string message, int retryAfterSeconds);
};

template <class T>
using Result = std::expected<T, Error>;

// The HTTP status for a code: the one place codes meet HTTP.
[[nodiscard]] int httpStatus(Code code);

// {"error": reason, "message": message} with JSON escaping.
[[nodiscard]] std::string errorJson(const Error& error);

}  // namespace forgehook::core
