#include "api/path_id.h"

#include "api/query_params.h"

namespace forgehook::api {

std::optional<std::int64_t> pathId(const http::Request& request, std::string_view prefix, std::string_view suffix) {
  std::string_view rest = request.path;
  if (!rest.starts_with(prefix)) return std::nullopt;
  rest.remove_prefix(prefix.size());
  if (!suffix.empty()) {
    if (!rest.ends_with(suffix)) return std::nullopt;
    rest.remove_suffix(suffix.size());
  }
  auto id = parseInteger(rest);
  if (!id || *id < 1) return std::nullopt;
  return id;
}

std::optional<PathTarget> pathTarget(const http::Request& request, std::string_view prefix) {
  std::string_view path = request.path;
  if (!path.starts_with(prefix)) return std::nullopt;
  path.remove_prefix(prefix.size());
  const auto slash = path.find('/');
  auto id = parseInteger(path.substr(0, slash));
  if (!id || *id < 1) return std::nullopt;
  return PathTarget{*id, slash == std::string_view::npos ? std::string_view{} : path.substr(slash)};
}

}  // namespace forgehook::api
