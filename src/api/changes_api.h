#pragma once
// GET /api/v1/changes: the change feed, page by page after a seq, for clients that poll and for a
// stream client catching up. Blocking (store reads). Thread-safe.
#include "http/request.h"
#include "store/change_feed.h"

namespace forgehook::api {

class ChangesApi {
 public:
  explicit ChangesApi(store::ChangeFeed& feed) : feed_(feed) {}

  // ?after=SEQ&resource=a,b&repository=&forge=&limit= ->
  // {"changes": [...], "next_after": N, "newest_seq": N, "reset": bool}
  [[nodiscard]] http::Response list(const http::Request& request) const;

 private:
  store::ChangeFeed& feed_;
};

// The change as JSON text: {"seq", "at", "resource", "action", "id", "forge", "repository", "data"},
// `data` spliced as stored. The one rendering of a change, for the API and the live streams.
[[nodiscard]] std::string changeJson(const store::Change& change);

// `resource` when it names a list resource or "deliveries". Errors: invalidArgument listing them.
[[nodiscard]] core::Result<std::vector<std::string>> readChangeResources(std::string_view commaSeparated);

}  // namespace forgehook::api
