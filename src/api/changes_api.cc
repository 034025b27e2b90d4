#include "api/changes_api.h"

#include "api/query_params.h"
#include "core/json_text.h"
#include "core/time.h"
#include "store/resources.h"

namespace forgehook::api {

std::string changeJson(const store::Change& c) {
  std::string out = "{\"seq\":" + std::to_string(c.seq) + ",\"at\":";
  core::appendJsonString(out, core::formatRfc3339(c.atMicros));
  out += ",\"resource\":";
  core::appendJsonString(out, c.resource);
  out += ",\"action\":";
  core::appendJsonString(out, c.action);
  out += ",\"id\":";
  core::appendJsonString(out, c.id);
  out += ",\"forge\":";
  core::appendJsonString(out, c.forge);
  out += ",\"repository\":";
  if (c.repository.empty())
    out += "null";
  else
    core::appendJsonString(out, c.repository);
  out += ",\"data\":";
  out += c.dataJson;
  out += '}';
  return out;
}

core::Result<std::vector<std::string>> readChangeResources(std::string_view text) {
  std::vector<std::string> out;
  while (!text.empty()) {
    const auto comma = text.find(',');
    const auto name = text.substr(0, comma);
    text = comma == std::string_view::npos ? std::string_view{} : text.substr(comma + 1);
    if (name.empty()) continue;
    if (name != "deliveries" && !store::findResource(name)) {
      std::string known = "deliveries";
      for (const auto& spec : store::resourceSpecs()) known += ", " + std::string(spec.name);
      return std::unexpected(
          invalidArgument("resource must be one of " + known + " (got \"" + std::string(name) + "\")"));
    }
    out.emplace_back(name);
  }
  return out;
}

http::Response ChangesApi::list(const http::Request& request) const {
  store::ChangeQuery q;
  if (auto after = request.queryParam("after")) {
    auto v = parseInteger(*after);
    if (!v || *v < 0) return http::errorResponse(invalidArgument("after must be a seq (0 or more)"));
    q.after = *v;
  }
  if (auto resources = request.queryParam("resource")) {
    auto names = readChangeResources(*resources);
    if (!names) return http::errorResponse(names.error());
    q.resources = std::move(*names);
  }
  auto forge = readForge(request);
  if (!forge) return http::errorResponse(forge.error());
  q.forge = *forge;
  q.repository = request.queryParam("repository");
  if (auto text = request.queryParam("limit")) {
    auto v = parseInteger(*text);
    if (!v || *v < 1 || *v > 1000) return http::errorResponse(invalidArgument("limit must be between 1 and 1000"));
    q.limit = static_cast<int>(*v);
  }
  auto page = feed_.read(q);
  if (!page) return http::errorResponse(page.error());
  std::string body = "{\"changes\":[";
  for (std::size_t i = 0; i < page->changes.size(); ++i) {
    if (i) body += ',';
    body += changeJson(page->changes[i]);
  }
  // Where the next page starts. A short page held every matching change up to the newest seq (both
  // were read in one transaction), so a filtered client skips the records it does not want.
  const bool complete = static_cast<int>(page->changes.size()) < q.limit;
  const std::int64_t next = complete ? std::max(q.after, page->newestSeq) : page->changes.back().seq;
  body += "],\"next_after\":" + std::to_string(next);
  body += ",\"newest_seq\":" + std::to_string(page->newestSeq);
  body += ",\"oldest_seq\":" + std::to_string(page->oldestSeq);
  body += ",\"reset\":";
  body += page->reset ? "true" : "false";
  body += '}';
  return http::jsonResponse(200, std::move(body));
}

}  // namespace forgehook::api
