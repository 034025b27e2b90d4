#pragma once
// The common half of an open stream (internal to http/): the StreamSink a handler sends on, one
// writer draining a bounded queue on the connection's I/O thread, a timer for heartbeats and
// deadlines, the handler's callbacks run in order on the blocking pool, and the access log lines.
// SseSession and WebSocketSession supply the transport. send(), close(), isOpen() and queuedBytes()
// are thread-safe; everything else runs on the connection's executor (one thread: no strand needed).
#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include "http/stream.h"

namespace forgehook::http {

struct SessionContext;

// What the HttpSession hands over with the connection, once the route's handler accepted the stream.
struct StreamSetup {
  StreamKind kind = StreamKind::ServerSentEvents;
  std::string routeName, path, remoteAddress;
  StreamAnswer answer;
};

// Take over a connection whose request the stream handler accepted. The stream's reservation in
// context.streams is theirs from now on.
void startSseSession(boost::beast::tcp_stream&& stream, SessionContext& context, StreamSetup setup);
void startWebSocketSession(boost::beast::tcp_stream&& stream,
                           boost::beast::http::request<boost::beast::http::string_body>&& upgrade,
                           SessionContext& context, StreamSetup setup);

class StreamSession : public StreamSink, public std::enable_shared_from_this<StreamSession> {
 public:
  using Clock = std::chrono::steady_clock;

  StreamSession(boost::asio::any_io_executor executor, SessionContext& context, StreamSetup setup);

  using StreamSink::send;
  bool send(StreamMessage message) override;
  void close(int code, std::string reason, std::string finalMessage = {}) override;
  [[nodiscard]] bool isOpen() const override;
  [[nodiscard]] std::size_t queuedBytes() const override;
  [[nodiscard]] std::size_t queueLimit() const override { return options_.maxQueuedBytes; }
  void whenQueuedBelow(std::size_t bytes, std::function<void()> then) override;

  // Registers the stream (its reservation is then released by end()) and starts the transport.
  void begin();

  // Server shutdown, any thread: close(kCloseGoingAway) with a short drain.
  void shutdown();
  // Once the I/O threads stopped, from the stopping thread: ends the stream without I/O.
  void abandon();

 protected:
  struct Outgoing {
    enum class Kind {
      Message,    // from send(): counted in the queue
      Heartbeat,  // SSE ": ping" comment / WebSocket ping
      Preamble,   // written first (the SSE retry line)
      Pong,       // WebSocket: the answer to a client's ping, `data` its payload
    };
    StreamMessage data;
    Kind kind = Kind::Message;
  };

  // Transport, called on the executor. startTransport() writes the SSE head or accepts the
  // WebSocket and calls opened() (or end() on failure); writeBatch() writes the items in order, in
  // as few system calls as it can, and ends by calling onWritten(); writeClose() writes the final
  // message / close frame and ends by calling end(); releaseTransport() closes and destroys the
  // socket (pending operations complete as aborted).
  virtual void startTransport() = 0;  // handshake, then opened()
  virtual void writeBatch(const std::vector<Outgoing>& items) = 0;
  virtual void writeClose(int code, const std::string& reason, const std::string& finalMessage) = 0;
  virtual void releaseTransport() = 0;
  // WebSocket: the time by which the client must have sent something, checked by onIdle().
  [[nodiscard]] virtual std::optional<Clock::time_point> idleDeadline() const { return std::nullopt; }
  virtual void onIdle() {}

  // For the transports, on the executor.
  // Handshake done: access log, onOpen, writer and timer start; `first` (a control item) is written
  // before any message.
  void opened(std::string first = {});
  void onWritten(bool ok);
  // Queues a control item (a pong) to go out before the messages still queued.
  void queueControl(Outgoing item);
  // The client said goodbye: what is queued will not be read.
  void discardQueued();
  void end(const std::string& why);                  // idempotent; calls onClose once
  void runCallback(std::function<void()> callback);  // in order, on the blocking pool
  void requestClose(int code, std::string reason, std::string finalMessage, std::string why,
                    std::chrono::milliseconds drain);  // any thread
  [[nodiscard]] bool ended() const { return state_.load() == kEnded; }
  [[nodiscard]] const StreamAnswer& answer() const { return setup_.answer; }
  [[nodiscard]] std::chrono::milliseconds writeTimeout() const { return options_.idleTimeout; }
  [[nodiscard]] const StreamOptions& options() const { return options_; }
  [[nodiscard]] const std::string& why() const { return why_; }
  boost::asio::any_io_executor executor_;

 private:
  enum State { kOpen = 0, kClosing = 1, kEnded = 2 };

  void drainInbox();
  void beginClose(int code, std::string reason, std::string finalMessage, std::string why,
                  std::chrono::milliseconds drain);
  void pump();
  void armTimer();
  void onTimer();
  void drainCallbacks();
  void dropped(const char* reason);

  SessionContext& context_;
  StreamSetup setup_;
  const StreamOptions options_;
  const std::chrono::milliseconds heartbeat_;
  std::atomic<int> state_{kOpen};
  std::atomic<std::size_t> queued_{0};  // bytes accepted by send() and not yet written

  // send()'s messages not yet taken by the executor: one post per burst, not one per message.
  std::mutex inboxMutex_;
  std::vector<StreamMessage> inbox_;
  bool drainPosted_ = false;

  // Executor only.
  std::deque<Outgoing> queue_;
  std::vector<Outgoing> batch_;    // the batch being written
  std::size_t lowWater_ = 0;       // whenQueuedBelow's threshold
  std::function<void()> whenLow_;  // and its callback, until the queue falls to it
  std::optional<boost::asio::steady_timer> timer_;
  bool opened_ = false, writing_ = false, closeRequested_ = false, closeWritten_ = false;
  int closeCode_ = kCloseNormal;
  std::string closeReason_, finalMessage_, why_;
  Clock::time_point startedAt_, lastWrite_, writeStarted_, closeDeadline_;
  std::int64_t messagesSent_ = 0;

  // The handler's callbacks, run one after another on the blocking pool.
  std::mutex callbackMutex_;
  std::deque<std::function<void()>> callbacks_;
  bool callbackRunning_ = false;
};

}  // namespace forgehook::http
