#include "core/error.h"

#include "core/json_text.h"

namespace forgehook::core {

Error Error::invalidArgument(std::string reason, std::string message) {
  return {Code::InvalidArgument, std::move(reason), std::move(message), 0};
}
Error Error::unauthenticated(std::string reason, std::string message) {
  return {Code::Unauthenticated, std::move(reason), std::move(message), 0};
}
Error Error::forbidden(std::string message) { return {Code::Forbidden, "forbidden", std::move(message), 0}; }
Error Error::notFound(std::string message) { return {Code::NotFound, "not_found", std::move(message), 0}; }
Error Error::methodNotAllowed(std::string message) {
  return {Code::MethodNotAllowed, "method_not_allowed", std::move(message), 0};
}
Error Error::conflict(std::string reason, std::string message) {
  return {Code::Conflict, std::move(reason), std::move(message), 0};
}
Error Error::tooLarge(std::string message) { return {Code::TooLarge, "payload_too_large", std::move(message), 0}; }
Error Error::unsupportedMediaType(std::string message) {
  return {Code::UnsupportedMediaType, "unsupported_media_type", std::move(message), 0};
}
Error Error::rateLimited(std::string message, int retryAfterSeconds) {
  return {Code::RateLimited, "rate_limited", std::move(message), retryAfterSeconds};
}
Error Error::headersTooLarge(std::string message) {
  return {Code::HeadersTooLarge, "headers_too_large", std::move(message), 0};
}
Error Error::internal(std::string message) { return {Code::Internal, "internal", std::move(message), 0}; }
Error Error::unavailable(std::string reason, std::string message, int retryAfterSeconds) {
  return {Code::Unavailable, std::move(reason), std::move(message), retryAfterSeconds};
}

int httpStatus(Code code) {
  switch (code) {
    case Code::InvalidArgument:
      return 400;
    case Code::Unauthenticated:
      return 401;
    case Code::Forbidden:
      return 403;
    case Code::NotFound:
      return 404;
    case Code::MethodNotAllowed:
      return 405;
    case Code::Conflict:
      return 409;
    case Code::TooLarge:
      return 413;
    case Code::UnsupportedMediaType:
      return 415;
    case Code::RateLimited:
      return 429;
    case Code::HeadersTooLarge:
      return 431;
    case Code::Internal:
      return 500;
    case Code::Unavailable:
      return 503;
  }
  return 500;
}

std::string errorJson(const Error& error) {
  std::string out = "{\"error\":";
  appendJsonString(out, error.reason);
  out += ",\"message\":";
  appendJsonString(out, error.message);
  out += '}';
  return out;
}

}  // namespace forgehook::core
