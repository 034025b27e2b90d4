#include "api/resources_api.h"

#include "api/query_params.h"

namespace forgehook::api {

http::Response ResourcesApi::list(const http::Request& request, const store::ResourceSpec& spec) const {
  auto query = resourceQueryFrom(request, spec, clock_.nowSeconds());
  if (!query) return http::errorResponse(query.error());
  auto page = reader_.listResource(*query);
  if (!page) return http::errorResponse(page.error());
  // Rows are JSON already (built by the store); splice them instead of parsing and re-dumping.
  std::string body = "{\"";
  body += spec.name;
  body += "\":[";
  for (std::size_t i = 0; i < page->items.size(); ++i) {
    if (i) body += ',';
    body += page->items[i];
  }
  body += "],\"next_cursor\":";
  if (page->nextCursor) {
    body += '"';
    body += *page->nextCursor;
    body += '"';
  } else {
    body += "null";
  }
  body += '}';
  return http::jsonResponse(200, std::move(body));
}

}  // namespace forgehook::api
