#pragma once
// Long-lived streams on the HTTP listener: Server-Sent Events (a text/event-stream response that
// stays open) and WebSocket (an upgraded connection). Beast-free, like request.h: a stream route's
// handler sees a Request and answers with a StreamAnswer; the session then opens the stream and
// hands the handler a StreamSink to send on.
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "http/request.h"

namespace forgehook::http {

enum class StreamKind {
  ServerSentEvents,  // GET answered 200 text/event-stream, kept open
  WebSocket,         // GET with Upgrade: websocket, answered 101
};

// One open stream to one client, owned by its session. Thread-safe: send() and close() may be
// called from any thread; the session writes on its own thread, one message at a time.
// A message as queued: immutable and shared, so one change rendered once goes to every client
// without a copy per client.
using StreamMessage = std::shared_ptr<const std::string>;

class StreamSink {
 public:
  virtual ~StreamSink() = default;
  // Queues one message: for SSE the bytes are written as they are (an event block such as
  // "id: 7\ndata: {...}\n\n", or a ": comment\n\n"); for WebSocket one text message. Never blocks.
  // Returns false when the stream is closed, or when the message would make the queue hold more than
  // the route's maxQueuedBytes: then the stream is closed with close(kSlowConsumer, ...) after the
  // messages already queued, so a slow client costs bounded memory and never slows the sender.
  // Messages sent in a burst are written together (one system call for many), in order.
  virtual bool send(StreamMessage message) = 0;
  bool send(std::string message) { return send(std::make_shared<const std::string>(std::move(message))); }
  // Writes what is queued, then ends the stream: SSE ends the response (with `finalMessage`, when
  // given, written last); WebSocket sends a close frame with `code` and `reason`. Idempotent.
  virtual void close(int code, std::string reason, std::string finalMessage = {}) = 0;
  [[nodiscard]] virtual bool isOpen() const = 0;
  // Bytes queued and not yet written.
  [[nodiscard]] virtual std::size_t queuedBytes() const = 0;
  // What send() accepts queued at most (StreamOptions::maxQueuedBytes).
  [[nodiscard]] virtual std::size_t queueLimit() const = 0;
  // For a sender with much to say (a snapshot): calls `then` once at most `bytes` are queued, on a
  // thread that may block briefly, in order with the handler's other callbacks; never when the
  // stream ends first. One at a time: a second call replaces the first.
  virtual void whenQueuedBelow(std::size_t bytes, std::function<void()> then) = 0;
};

// WebSocket close codes forgehook uses (RFC 6455 section 7.4).
inline constexpr int kCloseNormal = 1000;
inline constexpr int kCloseGoingAway = 1001;  // server shutting down
inline constexpr int kClosePolicy = 1008;     // e.g. a ticket that is not valid
inline constexpr int kSlowConsumer = 4000;    // the client did not read fast enough (send queue full)
inline constexpr int kCloseIdle = 4001;       // no pong within the heartbeat timeout
inline constexpr int kCloseRevoked = 4003;    // the token the stream was opened with was revoked

// What a stream route's handler answers.
struct StreamAnswer {
  // Set to refuse: this response is written instead (401, 400, 503, ...) and no stream opens.
  std::optional<Response> refusal;
  // Called once the stream is open (SSE headers written / WebSocket handshake done), on a thread
  // that may block briefly (not an I/O thread). The sink stays valid as long as it is held.
  std::function<void(std::shared_ptr<StreamSink>)> onOpen;
  // WebSocket only: a text message from the client.
  std::function<void(std::string)> onMessage;
  // Called once when the stream ends, whoever ended it (client gone, close(), shutdown, idle).
  std::function<void()> onClose;
};

using StreamHandler = std::function<StreamAnswer(const Request&)>;

struct StreamOptions {
  std::size_t maxQueuedBytes = 256 * 1024;      // per stream; past it the client is dropped (kSlowConsumer)
  std::chrono::milliseconds heartbeat{15'000};  // SSE ": ping" comment / WebSocket ping, this often
  // WebSocket: no pong (or any frame) for this long closes it with kCloseIdle. Both kinds: one write
  // (or the drain before a close) that takes longer than this ends the stream; the client is not reading.
  std::chrono::milliseconds idleTimeout{45'000};
  std::string sseRetryMs = "2000";  // the SSE "retry:" hint sent first
};

}  // namespace forgehook::http
