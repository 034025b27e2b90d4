#include "http/stream_session.h"

#include <algorithm>
#include <boost/asio/post.hpp>
#include <utility>

#include "http/session.h"

namespace forgehook::http {

namespace asio = boost::asio;

namespace {
// A stream closed by shutdown gets this long to drain and say goodbye, so streams never hold
// shutdown for the whole grace period.
constexpr std::chrono::milliseconds kShutdownDrain{1000};
// Heartbeats more often than this would spin the timer.
constexpr std::chrono::milliseconds kMinHeartbeat{10};
// One write takes at most this many queued items or (past the first) bytes: enough to make a burst
// one system call, small enough that a heartbeat or a close is not stuck behind a huge write.
constexpr std::size_t kMaxBatchItems = 512;
constexpr std::size_t kMaxBatchBytes = 256 * 1024;

const char* kindName(StreamKind kind) { return kind == StreamKind::WebSocket ? "websocket" : "sse"; }
}  // namespace

StreamSession::StreamSession(asio::any_io_executor executor, SessionContext& context, StreamSetup setup)
    : executor_(std::move(executor)),
      context_(context),
      setup_(std::move(setup)),
      options_(context.options.streams),
      heartbeat_(std::max(options_.heartbeat, kMinHeartbeat)) {}

void StreamSession::begin() {
  if (!context_.streams.add(shared_from_this()))  // the server began stopping since the reservation
    requestClose(kCloseGoingAway, "server shutting down", {}, "shutdown", kShutdownDrain);
  startTransport();
}

bool StreamSession::send(StreamMessage message) {
  if (state_.load() != kOpen || !message) return false;
  const std::size_t size = message->size();
  if (queued_.fetch_add(size) + size > options_.maxQueuedBytes) {
    queued_.fetch_sub(size);
    requestClose(kSlowConsumer, "slow consumer", {}, "slow_consumer", writeTimeout());
    return false;
  }
  bool post = false;
  {
    std::lock_guard lock(inboxMutex_);
    inbox_.push_back(std::move(message));
    post = !std::exchange(drainPosted_, true);
  }
  if (post) asio::post(executor_, [self = shared_from_this()] { self->drainInbox(); });
  return true;
}

void StreamSession::close(int code, std::string reason, std::string finalMessage) {
  requestClose(code, std::move(reason), std::move(finalMessage), "closed", writeTimeout());
}

bool StreamSession::isOpen() const { return state_.load() == kOpen; }

std::size_t StreamSession::queuedBytes() const { return queued_.load(); }

void StreamSession::whenQueuedBelow(std::size_t bytes, std::function<void()> then) {
  asio::post(executor_, [self = shared_from_this(), bytes, then = std::move(then)]() mutable {
    if (self->ended()) return;
    if (self->queued_.load() <= bytes) return self->runCallback(std::move(then));
    self->lowWater_ = bytes;
    self->whenLow_ = std::move(then);
  });
}

void StreamSession::shutdown() {
  requestClose(kCloseGoingAway, "server shutting down", {}, "shutdown", kShutdownDrain);
}

void StreamSession::abandon() {
  // The I/O threads are joined: nothing else touches the executor-only state now.
  end("shutdown");
}

void StreamSession::requestClose(int code, std::string reason, std::string finalMessage, std::string why,
                                 std::chrono::milliseconds drain) {
  int expected = kOpen;
  if (!state_.compare_exchange_strong(expected, kClosing)) return;
  asio::post(executor_, [self = shared_from_this(), code, reason = std::move(reason),
                         finalMessage = std::move(finalMessage), why = std::move(why), drain]() mutable {
    self->beginClose(code, std::move(reason), std::move(finalMessage), std::move(why), drain);
  });
}

void StreamSession::beginClose(int code, std::string reason, std::string finalMessage, std::string why,
                               std::chrono::milliseconds drain) {
  if (ended()) return;
  closeRequested_ = true;
  closeCode_ = code;
  closeReason_ = std::move(reason);
  finalMessage_ = std::move(finalMessage);
  if (why_.empty()) why_ = std::move(why);
  if (why_ == "slow_consumer" || why_ == "idle") dropped(why_.c_str());
  closeDeadline_ = Clock::now() + drain;
  if (!opened_) return;  // opened() writes what is queued, then the close
  pump();
  armTimer();
}

void StreamSession::drainInbox() {
  std::vector<StreamMessage> arrived;
  {
    std::lock_guard lock(inboxMutex_);
    arrived.swap(inbox_);
    drainPosted_ = false;
  }
  if (ended() || closeWritten_) {
    for (const auto& m : arrived) queued_.fetch_sub(m->size());
    return;
  }
  for (auto& m : arrived) queue_.push_back({std::move(m)});
  pump();
}

void StreamSession::queueControl(Outgoing item) {
  if (ended() || closeWritten_) return;
  queue_.push_front(std::move(item));
  pump();
}

void StreamSession::discardQueued() {
  for (const auto& item : queue_)
    if (item.kind == Outgoing::Kind::Message) queued_.fetch_sub(item.data->size());
  queue_.clear();
}

void StreamSession::opened(std::string first) {
  if (ended()) return;
  opened_ = true;
  if (!first.empty())
    queue_.push_front({std::make_shared<const std::string>(std::move(first)), Outgoing::Kind::Preamble});
  startedAt_ = lastWrite_ = Clock::now();
  context_.metrics.streamsOpen.add(1);
  context_.logger.info("stream open", {{"path", setup_.path},
                                       {"route", setup_.routeName},
                                       {"kind", kindName(setup_.kind)},
                                       {"remote", setup_.remoteAddress}});
  timer_.emplace(executor_);
  runCallback([self = shared_from_this()] {
    if (self->setup_.answer.onOpen) self->setup_.answer.onOpen(self);
  });
  pump();
  armTimer();
}

void StreamSession::pump() {
  if (!opened_ || writing_ || closeWritten_ || ended()) return;
  if (!queue_.empty()) {
    writing_ = true;
    writeStarted_ = Clock::now();
    std::size_t bytes = 0;
    while (!queue_.empty() && batch_.size() < kMaxBatchItems && (batch_.empty() || bytes < kMaxBatchBytes)) {
      bytes += queue_.front().data ? queue_.front().data->size() : 0;
      batch_.push_back(std::move(queue_.front()));
      queue_.pop_front();
    }
    writeBatch(batch_);
    return;
  }
  if (closeRequested_) {
    closeWritten_ = writing_ = true;
    writeStarted_ = Clock::now();
    writeClose(closeCode_, closeReason_, finalMessage_);
  }
}

void StreamSession::onWritten(bool ok) {
  writing_ = false;
  if (ended()) return;  // aborted: the queue is already gone
  std::vector<Outgoing> written;
  written.swap(batch_);
  lastWrite_ = Clock::now();
  if (!ok) return end("client_gone");
  for (const auto& item : written) {
    if (item.kind != Outgoing::Kind::Message) continue;
    queued_.fetch_sub(item.data->size());
    ++messagesSent_;
  }
  if (whenLow_ && queued_.load() <= lowWater_) runCallback(std::exchange(whenLow_, nullptr));
  pump();
}

void StreamSession::armTimer() {
  if (!timer_ || ended()) return;
  // Only deadlines still ahead: one already handled by onTimer() would spin the timer.
  std::optional<Clock::time_point> next;
  const auto consider = [&next](Clock::time_point t) { next = next ? std::min(*next, t) : t; };
  // While a write is out, look again every heartbeat: its end moves the next heartbeat.
  if (writing_) consider(std::min(writeStarted_ + writeTimeout(), Clock::now() + heartbeat_));
  if (closeRequested_) {
    consider(closeDeadline_);
  } else {
    if (!writing_) consider(lastWrite_ + heartbeat_);
    if (const auto idle = idleDeadline()) consider(*idle);
  }
  timer_->expires_at(*next);
  timer_->async_wait([self = shared_from_this()](boost::system::error_code ec) {
    if (!ec) self->onTimer();
  });
}

void StreamSession::onTimer() {
  if (ended()) return;
  const auto now = Clock::now();
  if (closeRequested_ && now >= closeDeadline_) return end(why_);  // the client did not take the goodbye
  if (writing_ && now - writeStarted_ >= writeTimeout()) {
    if (why_.empty()) dropped("write_timeout");  // else counted under the reason it was closing for
    return end("write_timeout");
  }
  if (const auto idle = idleDeadline(); idle && now >= *idle && !closeRequested_) onIdle();
  if (!closeRequested_ && !writing_ && queue_.empty() && now - lastWrite_ >= heartbeat_) {
    static const auto kSsePing = std::make_shared<const std::string>(": ping\n\n");
    static const auto kNoPayload = std::make_shared<const std::string>();
    queue_.push_back({setup_.kind == StreamKind::WebSocket ? kNoPayload : kSsePing, Outgoing::Kind::Heartbeat});
    pump();
  }
  armTimer();
}

void StreamSession::end(const std::string& why) {
  if (state_.exchange(kEnded) == kEnded) return;
  if (why_.empty()) why_ = why;
  timer_.reset();
  releaseTransport();  // first: a write in flight completes as aborted and no longer reads its buffers
  queue_.clear();
  batch_.clear();
  whenLow_ = nullptr;  // it may hold this stream (a snapshot's sender): let go
  queued_.store(0);
  context_.streams.remove(this);
  if (opened_) {
    context_.metrics.streamsOpen.add(-1);
    const double seconds = std::chrono::duration<double>(Clock::now() - startedAt_).count();
    context_.logger.info("stream closed", {{"path", setup_.path},
                                           {"route", setup_.routeName},
                                           {"kind", kindName(setup_.kind)},
                                           {"remote", setup_.remoteAddress},
                                           {"duration_ms", seconds * 1000},
                                           {"messages", messagesSent_},
                                           {"reason", why_}});
  }
  runCallback([self = shared_from_this()] {
    if (self->setup_.answer.onClose) self->setup_.answer.onClose();
    // The handler's functions may hold the sink: let go of them to break the cycle.
    self->setup_.answer = {};
  });
}

void StreamSession::runCallback(std::function<void()> callback) {
  {
    std::lock_guard lock(callbackMutex_);
    callbacks_.push_back(std::move(callback));
    if (callbackRunning_) return;
    callbackRunning_ = true;
  }
  asio::post(context_.blockingPool, [self = shared_from_this()] { self->drainCallbacks(); });
}

void StreamSession::drainCallbacks() {
  for (;;) {
    std::function<void()> callback;
    {
      std::lock_guard lock(callbackMutex_);
      if (callbacks_.empty()) {
        callbackRunning_ = false;
        return;
      }
      callback = std::move(callbacks_.front());
      callbacks_.pop_front();
    }
    try {
      callback();
    } catch (const std::exception& e) {
      context_.logger.error("stream handler failed", {{"route", setup_.routeName}, {"error", e.what()}});
    }
  }
}

void StreamSession::dropped(const char* reason) { context_.metrics.streamDropped.with({reason}).add(); }

}  // namespace forgehook::http
