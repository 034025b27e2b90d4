#pragma once
// The live streams: GET /api/v1/events (Server-Sent Events) and GET /api/v1/stream (WebSocket),
// both fed by the change hub with the same filters (resource, action, repository, forge, kind) and
// resumable without gaps: SSE from Last-Event-ID, either from `after=SEQ`. A resume point the feed
// no longer keeps gets an explicit reset message (refetch, then follow). `snapshot=true` sends the
// current rows first (api/stream_snapshot.h). Thread-safe.
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>

#include "api/admin_auth.h"
#include "http/stream.h"
#include "live/change_hub.h"
#include "store/activity_reader.h"

namespace forgehook::api {

class StreamsApi {
 public:
  StreamsApi(live::ChangeHub& hub, const Authenticator& auth, store::ActivityReader& reader)
      : hub_(hub), auth_(auth), reader_(reader) {}

  // Query parameters both stream routes accept.
  [[nodiscard]] static const std::vector<std::string_view>& params();

  [[nodiscard]] http::StreamAnswer events(const http::Request& request) const;  // SSE
  [[nodiscard]] http::StreamAnswer stream(const http::Request& request) const;  // WebSocket

  // The wire forms of a change and of a reset, per stream kind.
  [[nodiscard]] static std::string sseChange(const store::Change& change);
  [[nodiscard]] static std::string sseReset(std::int64_t oldestSeq, std::int64_t newestSeq, std::string_view reason);
  [[nodiscard]] static std::string wsChange(const store::Change& change);
  [[nodiscard]] static std::string wsReset(std::int64_t oldestSeq, std::int64_t newestSeq, std::string_view reason);

  // Ends every open stream of the read-only API token `tokenId` (it was revoked): WebSocket close
  // 4003, SSE a final `revoked` event. Returns how many. Any thread.
  std::size_t closeStreamsOf(std::int64_t tokenId) const;

 private:
  struct Subscription;
  [[nodiscard]] http::StreamAnswer open(const http::Request& request, http::StreamKind kind) const;
  // Subscribes the stream to the hub from `after` (none: from now).
  void follow(Subscription& subscription, live::ChangeFilter filter, std::optional<std::int64_t> after,
              const std::shared_ptr<http::StreamSink>& sink, bool sse) const;
  live::ChangeHub& hub_;
  const Authenticator& auth_;
  store::ActivityReader& reader_;
  // The open streams of read-only tokens, by token id, so a revocation reaches them.
  mutable std::mutex tokenStreamsMutex_;
  mutable std::multimap<std::int64_t, std::weak_ptr<http::StreamSink>> tokenStreams_;
};

}  // namespace forgehook::api
