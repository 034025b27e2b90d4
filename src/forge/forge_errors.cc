#include "forge/forge_errors.h"

namespace forgehook::forge {

using core::Code;
using core::Error;

Error forgeUnauthorized(std::string message) {
  return {Code::Unauthenticated, "forge_unauthorized", std::move(message), 0};
}
Error forgeForbidden(std::string message) { return {Code::Forbidden, "forge_forbidden", std::move(message), 0}; }
Error forgeNotFound(std::string message) { return {Code::NotFound, "forge_not_found", std::move(message), 0}; }
Error forgeRejected(std::string message) {
  return {Code::InvalidArgument, "forge_rejected", std::move(message), 0};
}
Error forgeRateLimited(std::string message, int retryAfterSeconds) {
  return {Code::RateLimited, "forge_rate_limited", std::move(message), retryAfterSeconds};
}
Error forgeUnavailable(std::string message, int retryAfterSeconds) {
  return {Code::Unavailable, "forge_unavailable", std::move(message), retryAfterSeconds};
}
Error notSupported(std::string message) { return {Code::InvalidArgument, "not_supported", std::move(message), 0}; }

}  // namespace forgehook::forge
