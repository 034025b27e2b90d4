#include "api/streams_api.h"

#include <mutex>

#include "api/changes_api.h"
#include "api/query_params.h"
#include "api/stream_snapshot.h"
#include "core/json_text.h"

namespace forgehook::api {
namespace {

std::vector<std::string> commaList(std::string_view text) {
  std::vector<std::string> out;
  while (!text.empty()) {
    const auto comma = text.find(',');
    if (auto item = text.substr(0, comma); !item.empty()) out.emplace_back(item);
    text = comma == std::string_view::npos ? std::string_view{} : text.substr(comma + 1);
  }
  return out;
}

core::Result<live::ChangeFilter> filterFrom(const http::Request& request) {
  live::ChangeFilter f;
  if (auto resources = request.queryParam("resource")) {
    auto names = readChangeResources(*resources);
    if (!names) return std::unexpected(names.error());
    f.resources = std::move(*names);
  }
  if (auto actions = request.queryParam("action")) {
    f.actions = commaList(*actions);
    for (const auto& a : f.actions)
      if (a != "created" && a != "updated" && a != "deleted")
        return std::unexpected(invalidArgument("action must be created, updated or deleted (got \"" + a + "\")"));
  }
  if (auto kinds = request.queryParam("kind")) {
    f.kinds = commaList(*kinds);
    if (f.kinds.empty()) return std::unexpected(invalidArgument("kind must name at least one event kind"));
  }
  auto forge = readForge(request);
  if (!forge) return std::unexpected(forge.error());
  f.forge = *forge;
  f.repository = request.queryParam("repository");
  return f;
}

// The seq to resume after: SSE's Last-Event-ID (what the browser sends on reconnect), else `after`.
core::Result<std::optional<std::int64_t>> resumePoint(const http::Request& request) {
  std::optional<std::string> text;
  if (request.hasHeader("Last-Event-ID"))
    text = std::string(request.header("Last-Event-ID"));
  else if (auto after = request.queryParam("after"))
    text = *after;
  if (!text) return std::optional<std::int64_t>{};
  auto seq = parseInteger(*text);
  if (!seq || *seq < 0)
    return std::unexpected(invalidArgument("the resume point (Last-Event-ID or after) must be a seq"));
  return std::optional<std::int64_t>(*seq);
}

}  // namespace

// What one open stream shares between the transport's callbacks and the hub.
struct StreamsApi::Subscription {
  std::mutex mutex;
  std::optional<std::uint64_t> id;
  bool closed = false;
  std::weak_ptr<http::StreamSink> sink;  // set for a read-only token's stream (guarded by the token map's mutex)
};

const std::vector<std::string_view>& StreamsApi::params() {
  static const std::vector<std::string_view> kParams{"resource", "action", "repository", "forge",
                                                     "kind",     "after",  "ticket",     "snapshot"};
  return kParams;
}

namespace {

// The hub hands one change to every subscriber in turn, on its one thread: render each wire form
// once per change, not once per client. One cache per form (each instantiation has its own).
enum class Form { Sse, WebSocket };
// The message is shared by the clients' queues, so it is built and allocated once.
template <Form form, typename Render>
const http::StreamMessage& renderedOnce(std::int64_t seq, Render render) {
  thread_local std::int64_t renderedSeq = -1;
  thread_local http::StreamMessage rendered;
  if (renderedSeq != seq || !rendered) {
    rendered = std::make_shared<const std::string>(render());
    renderedSeq = seq;
  }
  return rendered;
}

}  // namespace

std::string StreamsApi::sseChange(const store::Change& c) {
  return "id: " + std::to_string(c.seq) + "\nevent: change\ndata: " + changeJson(c) + "\n\n";
}

namespace {
// A reset's fields, as both wire forms carry them.
std::string resetFields(std::int64_t oldest, std::int64_t newest, std::string_view reason) {
  std::string out = "\"oldest_seq\":" + std::to_string(oldest) + ",\"newest_seq\":" + std::to_string(newest) +
                    ",\"reason\":";
  core::appendJsonString(out, reason);
  return out;
}
}  // namespace

std::string StreamsApi::sseReset(std::int64_t oldest, std::int64_t newest, std::string_view reason) {
  // The id moves the browser's Last-Event-ID past the gap, so a reconnect does not reset again.
  return "id: " + std::to_string(newest) + "\nevent: reset\ndata: {" + resetFields(oldest, newest, reason) + "}\n\n";
}

std::string StreamsApi::wsChange(const store::Change& c) {
  return "{\"type\":\"change\",\"change\":" + changeJson(c) + "}";
}

std::string StreamsApi::wsReset(std::int64_t oldest, std::int64_t newest, std::string_view reason) {
  return "{\"type\":\"reset\"," + resetFields(oldest, newest, reason) + "}";
}

void StreamsApi::follow(Subscription& subscription, live::ChangeFilter filter, std::optional<std::int64_t> after,
                        const std::shared_ptr<http::StreamSink>& sink, bool sse) const {
  const auto id = hub_.subscribe(
      std::move(filter), after,
      [sink, sse](const store::Change& c) {
        return sink->send(sse ? renderedOnce<Form::Sse>(c.seq, [&] { return sseChange(c); })
                              : renderedOnce<Form::WebSocket>(c.seq, [&] { return wsChange(c); }));
      },
      [sink, sse](std::int64_t oldest, std::int64_t newest, std::string_view reason) {
        return sink->send(sse ? sseReset(oldest, newest, reason) : wsReset(oldest, newest, reason));
      });
  std::lock_guard lock(subscription.mutex);
  if (subscription.closed)
    hub_.unsubscribe(id);  // the client left before it was subscribed
  else
    subscription.id = id;
}

std::size_t StreamsApi::closeStreamsOf(std::int64_t tokenId) const {
  std::vector<std::shared_ptr<http::StreamSink>> sinks;
  {
    std::lock_guard lock(tokenStreamsMutex_);
    auto [first, last] = tokenStreams_.equal_range(tokenId);
    for (auto it = first; it != last; ++it)
      if (auto sink = it->second.lock()) sinks.push_back(std::move(sink));
  }
  // Outside the lock: close() may run the stream's onClose, which takes it.
  for (const auto& sink : sinks)
    sink->close(http::kCloseRevoked, "token revoked", "event: revoked\ndata: {\"error\":\"token_revoked\"}\n\n");
  return sinks.size();
}

http::StreamAnswer StreamsApi::events(const http::Request& request) const {
  return open(request, http::StreamKind::ServerSentEvents);
}

http::StreamAnswer StreamsApi::stream(const http::Request& request) const {
  return open(request, http::StreamKind::WebSocket);
}

http::StreamAnswer StreamsApi::open(const http::Request& request, http::StreamKind kind) const {
  http::StreamAnswer answer;
  auto refuse = [&](const core::Error& error) {
    answer.refusal = http::errorResponse(error);
    return answer;
  };
  auto principal = auth_.streamPrincipal(request);
  if (!principal) return refuse(principal.error());
  const std::optional<std::int64_t> tokenId =
      principal->isAdmin() ? std::nullopt : std::optional<std::int64_t>(principal->tokenId);
  if (auto ok = checkParams(request, params()); !ok) return refuse(ok.error());
  auto filter = filterFrom(request);
  if (!filter) return refuse(filter.error());
  auto after = resumePoint(request);
  if (!after) return refuse(after.error());
  bool snapshot = false;
  if (auto text = request.queryParam("snapshot")) {
    if (*text != "true" && *text != "false") return refuse(invalidArgument("snapshot must be true or false"));
    // A resume point wins: the client has the state up to it (an EventSource reconnecting sends
    // Last-Event-ID to the URL it first opened, snapshot=true included).
    snapshot = *text == "true" && !*after;
  }

  const bool sse = kind == http::StreamKind::ServerSentEvents;
  auto subscription = std::make_shared<Subscription>();
  answer.onOpen = [this, subscription, sse, tokenId, snapshot, filter = std::move(*filter),
                   after = *after](std::shared_ptr<http::StreamSink> sink) mutable {
    if (tokenId) {
      std::lock_guard lock(tokenStreamsMutex_);
      tokenStreams_.emplace(*tokenId, sink);
      subscription->sink = sink;
    }
    if (snapshot) {
      sendSnapshot(reader_, filter, sse, sink, [this, subscription, sse, filter, sink](std::int64_t seq) {
        follow(*subscription, filter, seq, sink, sse);
      });
    } else {
      follow(*subscription, std::move(filter), after, sink, sse);
    }
  };
  answer.onClose = [this, subscription, tokenId] {
    if (tokenId) {
      std::lock_guard lock(tokenStreamsMutex_);
      auto [first, last] = tokenStreams_.equal_range(*tokenId);
      for (auto it = first; it != last; ++it) {
        if (it->second.lock() == subscription->sink.lock()) {
          tokenStreams_.erase(it);
          break;
        }
      }
    }
    std::lock_guard lock(subscription->mutex);
    subscription->closed = true;
    if (subscription->id) hub_.unsubscribe(*subscription->id);
  };
  return answer;
}

}  // namespace forgehook::api
