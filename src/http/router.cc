#include "http/router.h"

namespace forgehook::http {

void Router::add(Route route) {
  if (route.name.empty()) route.name = route.path;
  routes_.push_back(std::move(route));
}

Router::Match Router::match(std::string_view method, std::string_view path) const {
  Match result;
  for (const auto& r : routes_) {
    const bool prefix = !r.path.empty() && r.path.back() == '*';
    const bool pathMatches =
        prefix ? path.starts_with(std::string_view(r.path).substr(0, r.path.size() - 1)) && path.size() >= r.path.size()
               : path == r.path;
    if (!pathMatches) continue;
    if (r.method == method) {
      result.route = &r;
      return result;
    }
    result.status = 405;
    if (result.allow.find(r.method) == std::string::npos) result.allow += (result.allow.empty() ? "" : ", ") + r.method;
  }
  return result;
}

}  // namespace forgehook::http
