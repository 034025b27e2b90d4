#include "forge/error_mapping.h"

#include <nlohmann/json.hpp>

#include "forge/forge_errors.h"

namespace forgehook::forge {
namespace {

constexpr std::size_t kMaxForgeWords = 500;

std::string urlPath(const std::string& url) {
  const auto scheme = url.find("://");
  const auto pathStart = url.find('/', scheme == std::string::npos ? 0 : scheme + 3);
  if (pathStart == std::string::npos) return "/";
  return url.substr(pathStart, url.find('?', pathStart) - pathStart);
}

// The forge's own explanation: GitHub/Gitea `message` + `errors[].message`, GitLab `message` (a
// string or an object of field errors) or `error`.
std::string forgeWords(const std::string& body) {
  const auto json = nlohmann::json::parse(body, nullptr, false);
  if (json.is_discarded() || !json.is_object()) return {};
  std::string words;
  const auto add = [&words](const std::string& text) {
    if (text.empty()) return;
    if (!words.empty()) words.append("; ");
    words.append(text);
  };
  if (const auto m = json.find("message"); m != json.end()) add(m->is_string() ? m->get<std::string>() : m->dump());
  if (const auto e = json.find("error"); e != json.end() && e->is_string()) add(e->get<std::string>());
  if (const auto errors = json.find("errors"); errors != json.end() && errors->is_array()) {
    for (const auto& item : *errors) {
      if (item.is_string()) {
        add(item.get<std::string>());
      } else if (item.is_object()) {
        if (const auto m = item.find("message"); m != item.end() && m->is_string()) {
          add(m->get<std::string>());
        } else if (const auto code = item.find("code"); code != item.end() && code->is_string()) {
          std::string text = code->get<std::string>();
          if (const auto field = item.find("field"); field != item.end() && field->is_string())
            text.append(" ").append(field->get<std::string>());
          add(text);
        }
      }
    }
  }
  if (words.size() > kMaxForgeWords) words.resize(kMaxForgeWords);
  return words;
}

std::string notFoundHint(core::Forge forge, const std::string& path) {
  switch (forge) {
    case core::Forge::GitHub:
      if (path.find("/hooks") != std::string::npos)
        return "the repository does not exist or the token cannot see it; a token needs admin:repo_hook "
               "(classic) or the Webhooks repository permission (fine-grained/App)";
      return "it does not exist or the token cannot see it";
    case core::Forge::GitLab:
      return "the project or group does not exist, or the token's user is not a Maintainer of it";
    case core::Forge::Gitea:
      return "the repository or organisation does not exist, or the token's user cannot administer it";
  }
  return {};
}

std::string forbiddenHint(core::Forge forge, const HttpResponse& response) {
  if (const auto needed = response.header("x-accepted-github-permissions"); needed && !needed->empty())
    return "the credential lacks the permission GitHub asks for: " + *needed;
  switch (forge) {
    case core::Forge::GitHub:
      return "the credential lacks a permission: admin:repo_hook / admin:org_hook (classic) or the Webhooks "
             "permission (fine-grained/App)";
    case core::Forge::GitLab:
      return "managing hooks needs the Maintainer role (Owner for group hooks) and the api scope";
    case core::Forge::Gitea:
      return "managing hooks needs admin rights on the repository or organisation and a write:repository "
             "(or write:organization) token";
  }
  return {};
}

}  // namespace

std::string describeRequest(const HttpRequest& request) {
  std::string text = request.method;
  text.append(" ").append(urlPath(request.url));
  return text;
}

core::Error errorFromAnswer(core::Forge forge, const HttpRequest& request, const HttpResponse& response) {
  std::string message(core::forgeName(forge));
  message.append(" answered ").append(std::to_string(response.status)).append(" to ").append(describeRequest(request));
  const std::string words = forgeWords(response.body);
  if (!words.empty()) message.append(": ").append(words);
  const auto withHint = [&message](const std::string& hint) {
    std::string text = message;
    text.append(" (").append(hint).append(")");
    return text;
  };
  const int status = response.status;
  if (status == 401) return forgeUnauthorized(withHint("the credential was refused: expired, revoked or mistyped"));
  if (status == 403) return forgeForbidden(withHint(forbiddenHint(forge, response)));
  if (status == 404) return forgeNotFound(withHint(notFoundHint(forge, urlPath(request.url))));
  if (status == 429) return forgeRateLimited(message, 60);
  if (status >= 500) return forgeUnavailable(message);
  return forgeRejected(message);
}

}  // namespace forgehook::forge
