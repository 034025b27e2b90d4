// Stream routes end to end: a real HttpServer on 127.0.0.1 port 0 and Beast clients, each client on
// its own io_context thread; every wait is on a condition or a future, with a deadline.
#include "http/stream.h"

#include <gtest/gtest.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <chrono>
#include <condition_variable>
#include <future>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/log.h"
#include "core/metrics.h"
#include "http/router.h"
#include "http/server.h"

namespace forgehook::http {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace websocket = boost::beast::websocket;
using tcp = asio::ip::tcp;
using namespace std::chrono_literals;

constexpr auto kWait = 5s;  // the bound on any wait; tests finish far sooner when they pass

// What the stream handlers saw, shared with the test thread.
struct Probe {
  std::mutex mutex;
  std::condition_variable changed;
  int handlerCalls = 0;
  std::vector<std::shared_ptr<StreamSink>> sinks;  // in the order the streams opened
  std::map<int, int> closes;                       // stream number -> onClose calls
  std::vector<std::string> received;               // WebSocket messages from clients

  template <class F>
  void update(F&& f) {
    {
      std::lock_guard lock(mutex);
      f();
    }
    changed.notify_all();
  }
  template <class P>
  bool waitUntil(P predicate, std::chrono::milliseconds timeout = kWait) {
    std::unique_lock lock(mutex);
    return changed.wait_for(lock, timeout, predicate);
  }
  std::shared_ptr<StreamSink> sink(std::size_t i) {
    if (!waitUntil([&] { return sinks.size() > i; })) throw std::runtime_error("stream did not open");
    std::lock_guard lock(mutex);
    return sinks[i];
  }
  int closed(int stream) {
    std::lock_guard lock(mutex);
    return closes[stream];
  }
};

StreamHandler handlerFor(Probe& probe) {
  return [&probe](const Request& request) {
    StreamAnswer answer;
    int stream = 0;
    probe.update([&] { stream = probe.handlerCalls++; });
    if (request.queryParam("ticket") != "ok") {
      answer.refusal = errorResponse(core::Error::unauthenticated("invalid_ticket", "no valid ticket"));
      return answer;
    }
    answer.onOpen = [&probe](std::shared_ptr<StreamSink> sink) {
      probe.update([&] { probe.sinks.push_back(std::move(sink)); });
    };
    answer.onMessage = [&probe](std::string message) {
      probe.update([&] { probe.received.push_back(std::move(message)); });
    };
    answer.onClose = [&probe, stream] { probe.update([&] { ++probe.closes[stream]; }); };
    return answer;
  };
}

// An io_context on its own thread, for clients driven from the test thread.
class ClientLoop {
 public:
  ClientLoop() : guard_(asio::make_work_guard(ioc_)), thread_([this] { ioc_.run(); }) {}
  ~ClientLoop() { stop(); }
  // Joins the thread: a client calls it first thing in its destructor, so no handler still running
  // there sees the client's members destroyed.
  void stop() {
    if (!thread_.joinable()) return;
    guard_.reset();
    ioc_.stop();
    thread_.join();
  }
  asio::io_context& ioc() { return ioc_; }

  // Starts an operation with a handler that runs on the client's thread, and waits for it; throws when
  // it fails or takes too long. (asio::use_future would finish on Asio's system thread, which can
  // still hold the operation after the client's io_context is gone.)
  template <class Start>
  static void await(Start start, std::chrono::milliseconds timeout = kWait) {
    auto promise = std::make_shared<std::promise<void>>();
    auto future = promise->get_future();
    start([promise](beast::error_code ec, auto&&...) {
      if (ec)
        promise->set_exception(std::make_exception_ptr(beast::system_error(ec)));
      else
        promise->set_value();
    });
    if (future.wait_for(timeout) != std::future_status::ready) throw std::runtime_error("client timed out");
    future.get();
  }

 private:
  asio::io_context ioc_;
  asio::executor_work_guard<asio::io_context::executor_type> guard_;
  std::thread thread_;
};

tcp::endpoint endpointOf(const std::string& address) {
  const auto colon = address.rfind(':');
  return {asio::ip::make_address(address.substr(0, colon)),
          static_cast<unsigned short>(std::stoi(address.substr(colon + 1)))};
}

// An SSE client: sends the GET, reads the head, then reads the body in the background.
class SseClient {
 public:
  SseClient(const std::string& address, const std::string& target) : stream_(loop_.ioc()) {
    ClientLoop::await([&](auto done) { stream_.async_connect(endpointOf(address), done); });
    bhttp::request<bhttp::empty_body> request{bhttp::verb::get, target, 11};
    request.set(bhttp::field::host, "127.0.0.1");
    request.set(bhttp::field::accept, "text/event-stream");
    ClientLoop::await([&](auto done) { bhttp::async_write(stream_, request, done); });
    parser_.body_limit(std::numeric_limits<std::uint64_t>::max());
    ClientLoop::await([&](auto done) { bhttp::async_read_header(stream_, buffer_, parser_, done); });
  }
  ~SseClient() { disconnect(); }

  const bhttp::response<bhttp::string_body>& head() { return parser_.get(); }

  // Reads the rest in the background: body() grows, done() once the response ended.
  void startReading() {
    asio::post(loop_.ioc(), [this] { readMore(); });
  }
  template <class P>
  bool waitUntil(P predicate) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, kWait, [&] { return predicate(body_, ended_); });
  }
  std::string body() {
    std::lock_guard lock(mutex_);
    return body_;
  }
  // The whole response, for one that is not a stream (a refusal).
  std::string readAll() {
    ClientLoop::await([&](auto done) { bhttp::async_read(stream_, buffer_, parser_, done); });
    return parser_.get().body();
  }
  // Closes the connection and stops the client's thread; once only.
  void disconnect() {
    std::promise<void> closed;
    asio::post(loop_.ioc(), [&] {
      beast::error_code ignored;
      stream_.socket().close(ignored);
      closed.set_value();
    });
    closed.get_future().wait();
    loop_.stop();
  }

 private:
  void readMore() {
    bhttp::async_read_some(stream_, buffer_, parser_, [this](beast::error_code ec, std::size_t) {
      {
        std::lock_guard lock(mutex_);
        body_ += parser_.get().body();
        parser_.get().body().clear();  // the body grows in body_ only: no quadratic copying
        ended_ = ec || parser_.is_done();
      }
      changed_.notify_all();
      if (!ended_) readMore();
    });
  }

  ClientLoop loop_;
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  bhttp::response_parser<bhttp::string_body> parser_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::string body_;
  bool ended_ = false;
};

// A WebSocket client; reads in the background once startReading() is called.
class WsClient {
 public:
  WsClient(const std::string& address, const std::string& target, int receiveBuffer = 0) : ws_(loop_.ioc()) {
    auto& socket = beast::get_lowest_layer(ws_).socket();
    socket.open(tcp::v4());
    // A small window makes a client that does not read fill up quickly.
    if (receiveBuffer > 0) socket.set_option(asio::socket_base::receive_buffer_size(receiveBuffer));
    ClientLoop::await([&](auto done) { beast::get_lowest_layer(ws_).async_connect(endpointOf(address), done); });
    ClientLoop::await([&](auto done) { ws_.async_handshake("127.0.0.1", target, done); });
  }
  ~WsClient() {
    std::promise<void> closed;
    asio::post(loop_.ioc(), [&] {
      beast::get_lowest_layer(ws_).close();
      closed.set_value();
    });
    closed.get_future().wait();
    loop_.stop();
  }

  void write(const std::string& text) {
    ClientLoop::await([&](auto done) { ws_.async_write(asio::buffer(text), done); });
  }
  void startReading() {
    asio::post(loop_.ioc(), [this] { readMore(); });
  }
  template <class P>
  bool waitUntil(P predicate) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, kWait, [&] { return predicate(messages_, closeCode_); });
  }

 private:
  void readMore() {
    ws_.async_read(buffer_, [this](beast::error_code ec, std::size_t) {
      {
        std::lock_guard lock(mutex_);
        if (ec)
          closeCode_ = ec == websocket::error::closed ? int(ws_.reason().code) : -1;
        else
          messages_.push_back(beast::buffers_to_string(buffer_.data()));
        buffer_.clear();
      }
      changed_.notify_all();
      if (!ec) readMore();
    });
  }

  ClientLoop loop_;
  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buffer_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<std::string> messages_;
  std::optional<int> closeCode_;  // -1: the connection ended without a close frame
};

std::string event(int i) { return "id: " + std::to_string(i) + "\ndata: {\"n\":" + std::to_string(i) + "}\n\n"; }

std::string withoutPings(std::string body) {
  for (auto at = body.find(": ping\n\n"); at != std::string::npos; at = body.find(": ping\n\n")) body.erase(at, 8);
  return body;
}

class StreamTest : public ::testing::Test {
 protected:
  void start(ServerOptions options = {}) {
    options.host = "127.0.0.1";
    options.port = 0;
    router_.add({.method = "GET",
                 .path = "/events",
                 .stream = StreamKind::ServerSentEvents,
                 .streamHandler = handlerFor(probe_)});
    router_.add({.method = "GET", .path = "/ws", .stream = StreamKind::WebSocket, .streamHandler = handlerFor(probe_)});
    server_ = std::make_unique<HttpServer>(std::move(options), router_, metrics_, logger_);
    address_ = server_->start();
  }
  static ServerOptions withStreams(StreamOptions streams) {
    ServerOptions options;
    options.streams = std::move(streams);
    return options;
  }
  void TearDown() override {
    if (server_) server_->stop(0ms);
  }

  Probe probe_;
  Router router_;
  core::Metrics metrics_;
  core::Logger logger_{core::LogLevel::Error};
  std::unique_ptr<HttpServer> server_;
  std::string address_;
};

TEST_F(StreamTest, SseSendsTheRetryLineThenMessagesInOrder) {
  start(withStreams({.heartbeat = 10s, .sseRetryMs = "1500"}));
  SseClient client(address_, "/events?ticket=ok");
  EXPECT_EQ(client.head().result_int(), 200);
  EXPECT_EQ(client.head()[bhttp::field::content_type], "text/event-stream");
  EXPECT_EQ(client.head()[bhttp::field::cache_control], "no-store");
  EXPECT_EQ(client.head()["X-Accel-Buffering"], "no");
  EXPECT_TRUE(client.head().chunked());
  client.startReading();

  auto sink = probe_.sink(0);
  std::string expected = "retry: 1500\n\n";
  for (int i = 0; i < 200; ++i) {
    ASSERT_TRUE(sink->send(event(i)));
    expected += event(i);
  }
  EXPECT_TRUE(client.waitUntil([&](const std::string& body, bool) { return body.size() >= expected.size(); }));
  EXPECT_EQ(client.body(), expected);
  EXPECT_EQ(metrics_.streamsOpen.value(), 1);
}

TEST_F(StreamTest, SseHeartbeatCommentArrivesWhenNothingElseIsWritten) {
  start(withStreams({.heartbeat = 50ms}));
  SseClient client(address_, "/events?ticket=ok");
  client.startReading();
  EXPECT_TRUE(client.waitUntil([](const std::string& body, bool) {
    return body.starts_with("retry: 2000\n\n") && body.find(": ping\n\n") != std::string::npos;
  }));
}

TEST_F(StreamTest, SseCloseWritesTheFinalMessageAndEndsTheResponse) {
  start();
  SseClient client(address_, "/events?ticket=ok");
  client.startReading();
  auto sink = probe_.sink(0);
  ASSERT_TRUE(sink->send(event(1)));
  sink->close(kCloseNormal, "done", "event: end\ndata: {}\n\n");
  EXPECT_FALSE(sink->isOpen());
  EXPECT_FALSE(sink->send(event(2)));
  EXPECT_TRUE(client.waitUntil([](const std::string&, bool ended) { return ended; }));
  EXPECT_EQ(client.body(), "retry: 2000\n\n" + event(1) + "event: end\ndata: {}\n\n");
  EXPECT_TRUE(probe_.waitUntil([&] { return probe_.closes[0] == 1; }));
}

TEST_F(StreamTest, ClientDisconnectEndsTheStream) {
  start();
  auto client = std::make_unique<SseClient>(address_, "/events?ticket=ok");
  auto sink = probe_.sink(0);
  client.reset();
  EXPECT_TRUE(probe_.waitUntil([&] { return probe_.closes[0] == 1; }));
  EXPECT_FALSE(sink->isOpen());
  EXPECT_FALSE(sink->send(event(1)));
  EXPECT_TRUE(probe_.waitUntil([&] { return metrics_.streamsOpen.value() == 0; }));
}

TEST_F(StreamTest, RefusalIsAnsweredLikeAnyResponse) {
  start();
  SseClient client(address_, "/events?ticket=wrong");
  EXPECT_EQ(client.head().result_int(), 401);
  EXPECT_NE(client.readAll().find("invalid_ticket"), std::string::npos);
  EXPECT_TRUE(probe_.sinks.empty());
  EXPECT_EQ(metrics_.streamsOpen.value(), 0);
}

// Not about streams, but found by them: a connection the server was draining after its answer
// (half-closed, waiting for the client to hang up) leaked its session when the server stopped.
TEST_F(StreamTest, StoppingReleasesAConnectionBeingDrained) {
  start();
  asio::io_context ioc;
  tcp::socket socket(ioc);
  socket.connect(endpointOf(address_));
  asio::write(socket,
              asio::buffer(std::string("GET /events?ticket=wrong HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")));
  std::string answer;
  beast::error_code ec;
  asio::read(socket, asio::dynamic_buffer(answer), ec);  // to the server's half-close; the client stays
  EXPECT_EQ(ec, asio::error::eof);
  EXPECT_TRUE(answer.starts_with("HTTP/1.1 401"));
  EXPECT_EQ(metrics_.connectionsOpen.value(), 1);
  server_.reset();
  EXPECT_EQ(metrics_.connectionsOpen.value(), 0);
}

TEST_F(StreamTest, TooManyStreamsGets503WithRetryAfter) {
  ServerOptions options;
  options.maxStreams = 1;
  start(options);
  SseClient first(address_, "/events?ticket=ok");
  probe_.sink(0);
  SseClient second(address_, "/events?ticket=ok");
  EXPECT_EQ(second.head().result_int(), 503);
  EXPECT_FALSE(second.head()[bhttp::field::retry_after].empty());
  EXPECT_NE(second.readAll().find("too_many_streams"), std::string::npos);
  EXPECT_EQ(probe_.handlerCalls, 1);  // refused before its handler ran
}

// The producer below broadcasts to a client that reads and one that never does.
constexpr std::size_t kQueueLimit = 64 * 1024;
constexpr int kMaxMessages = 4000;  // 64 MB: far more than socket buffers can hide

// Sends `message(i)` to both sinks until the stalled one refuses; paces itself on the reading one,
// as a well-behaved hub would. Returns how many messages the reading sink accepted.
template <class M>
int broadcastUntilRefused(StreamSink& reading, StreamSink& stalled, M message) {
  const auto sendPaced = [&](int i) {
    const auto deadline = std::chrono::steady_clock::now() + kWait;
    while (reading.queuedBytes() > kQueueLimit / 2 && std::chrono::steady_clock::now() < deadline)
      std::this_thread::yield();
    EXPECT_TRUE(reading.send(message(i))) << i;
  };
  int i = 0;
  for (; i < kMaxMessages; ++i) {
    sendPaced(i);
    if (!stalled.send(message(i))) break;
    EXPECT_LE(stalled.queuedBytes(), kQueueLimit);
  }
  EXPECT_LT(i, kMaxMessages) << "the stalled client was never refused";
  EXPECT_FALSE(stalled.isOpen());
  EXPECT_FALSE(stalled.send(message(0)));
  for (int j = 1; j <= 3; ++j) sendPaced(i + j);
  return i + 4;
}

TEST_F(StreamTest, SseSlowConsumerIsDroppedAtItsQueueLimitWhileOthersKeepUp) {
  start(withStreams({.maxQueuedBytes = kQueueLimit, .heartbeat = 10s, .idleTimeout = 300ms}));
  SseClient reader(address_, "/events?ticket=ok");
  reader.startReading();
  auto readingSink = probe_.sink(0);
  // A raw connection that asks for the stream and then never reads.
  asio::io_context ioc;
  tcp::socket stalled(ioc);
  stalled.open(tcp::v4());
  stalled.set_option(asio::socket_base::receive_buffer_size(4096));
  stalled.connect(endpointOf(address_));
  asio::write(stalled, asio::buffer(std::string("GET /events?ticket=ok HTTP/1.1\r\nHost: x\r\n\r\n")));
  auto stalledSink = probe_.sink(1);

  const std::string payload(16 * 1024, 'x');
  const auto message = [&](int i) { return "id: " + std::to_string(i) + "\ndata: " + payload + "\n\n"; };
  const int sent = broadcastUntilRefused(*readingSink, *stalledSink, message);

  std::string expected = "retry: 2000\n\n";
  for (int i = 0; i < sent; ++i) expected += message(i);
  EXPECT_TRUE(reader.waitUntil([&](const std::string& body, bool) { return body.size() >= expected.size(); }));
  EXPECT_TRUE(withoutPings(reader.body()) == expected) << "the reading client missed or reordered messages";
  // The stalled client never takes its queue: the write deadline ends it.
  EXPECT_TRUE(probe_.waitUntil([&] { return probe_.closes[1] == 1; }));
  EXPECT_EQ(probe_.closed(0), 0);
  EXPECT_EQ(metrics_.streamDropped.with({"slow_consumer"}).value(), 1u);
}

TEST_F(StreamTest, WebSocketDeliversMessagesInOrderAndClientMessagesToOnMessage) {
  start(withStreams({.heartbeat = 10s}));
  WsClient client(address_, "/ws?ticket=ok");
  client.startReading();
  auto sink = probe_.sink(0);
  std::vector<std::string> expected;
  for (int i = 0; i < 100; ++i) {
    expected.push_back("{\"n\":" + std::to_string(i) + "}");
    ASSERT_TRUE(sink->send(expected.back()));
  }
  EXPECT_TRUE(client.waitUntil([&](const auto& messages, auto) { return messages.size() >= expected.size(); }));
  EXPECT_TRUE(client.waitUntil([&](const auto& messages, auto) { return messages == expected; }));

  client.write("{\"subscribe\":\"push\"}");
  client.write("{\"subscribe\":\"issues\"}");
  EXPECT_TRUE(probe_.waitUntil([&] {
    return probe_.received == std::vector<std::string>{"{\"subscribe\":\"push\"}", "{\"subscribe\":\"issues\"}"};
  }));

  sink->close(kCloseNormal, "bye");
  EXPECT_TRUE(client.waitUntil([](const auto&, auto code) { return code == kCloseNormal; }));
  EXPECT_TRUE(probe_.waitUntil([&] { return probe_.closes[0] == 1; }));
}

TEST_F(StreamTest, WhenQueuedBelowLetsASenderPushFarMoreThanTheQueueWithoutBeingDropped) {
  start(withStreams({.maxQueuedBytes = 16 * 1024, .heartbeat = 10s}));
  WsClient client(address_, "/ws?ticket=ok");
  client.startReading();
  auto sink = probe_.sink(0);
  EXPECT_EQ(sink->queueLimit(), 16u * 1024);
  // 256 messages of 4 KB (1 MB, 64 times the queue), each sent only when the queue has room.
  constexpr int kMessages = 256;
  struct Sender {
    std::shared_ptr<StreamSink> sink;
    int next = 0;
    void pump(const std::shared_ptr<Sender>& self) {
      while (next < kMessages) {
        if (sink->queuedBytes() + 4096 > sink->queueLimit() / 2) {
          sink->whenQueuedBelow(sink->queueLimit() / 4, [self] { self->pump(self); });
          return;
        }
        ASSERT_TRUE(sink->send(std::to_string(next) + ":" + std::string(4090, 'x')));
        ++next;
      }
    }
  };
  auto sender = std::make_shared<Sender>(Sender{sink});
  sender->pump(sender);
  EXPECT_TRUE(client.waitUntil([&](const auto& messages, auto) { return int(messages.size()) >= kMessages; }));
  EXPECT_TRUE(sink->isOpen()) << "never dropped as a slow consumer";
  EXPECT_TRUE(client.waitUntil([&](const auto& messages, auto) {
    for (int i = 0; i < kMessages; ++i)
      if (!messages[i].starts_with(std::to_string(i) + ":")) return false;
    return true;
  }));
}

TEST_F(StreamTest, WebSocketUpgradeIsRequired) {
  start();
  SseClient client(address_, "/ws?ticket=ok");
  EXPECT_EQ(client.head().result_int(), 400);
  EXPECT_EQ(probe_.handlerCalls, 0);
}

TEST_F(StreamTest, WebSocketSlowConsumerGetsCloseCode4000AfterItsQueue) {
  start(withStreams({.maxQueuedBytes = kQueueLimit, .heartbeat = 10s, .idleTimeout = 5s}));
  WsClient reader(address_, "/ws?ticket=ok");
  reader.startReading();
  auto readingSink = probe_.sink(0);
  WsClient stalled(address_, "/ws?ticket=ok", 4096);
  auto stalledSink = probe_.sink(1);

  const std::string payload(16 * 1024, 'x');
  const auto message = [&](int i) { return std::to_string(i) + ":" + payload; };
  const int sent = broadcastUntilRefused(*readingSink, *stalledSink, message);

  EXPECT_TRUE(reader.waitUntil([&](const auto& messages, auto) { return int(messages.size()) >= sent; }));
  reader.waitUntil([&](const auto& messages, auto) {
    for (int i = 0; i < sent; ++i)
      if (i >= int(messages.size()) || messages[i] != message(i)) {
        ADD_FAILURE() << "reading client: message " << i << " missing or out of order";
        return true;
      }
    return true;
  });
  // The stalled client now reads: what was queued before the overflow, in order, then close 4000.
  stalled.startReading();
  EXPECT_TRUE(stalled.waitUntil([](const auto&, auto code) { return code.has_value(); }));
  stalled.waitUntil([&](const auto& messages, auto code) {
    EXPECT_EQ(code, kSlowConsumer);
    EXPECT_FALSE(messages.empty());
    for (std::size_t i = 0; i < messages.size(); ++i) EXPECT_EQ(messages[i], message(int(i)));
    return true;
  });
  EXPECT_TRUE(probe_.waitUntil([&] { return probe_.closes[1] == 1; }));
  EXPECT_EQ(probe_.closed(0), 0);
}

// A raw client that completes the handshake, then reads frames and never answers a ping.
class SilentWebSocketClient {
 public:
  explicit SilentWebSocketClient(const std::string& address) : socket_(loop_.ioc()) {
    ClientLoop::await([&](auto done) { socket_.async_connect(endpointOf(address), done); });
    const std::string request =
        "GET /ws?ticket=ok HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
    ClientLoop::await([&](auto done) { asio::async_write(socket_, asio::buffer(request), done); });
    asio::post(loop_.ioc(), [this] { readMore(); });
  }
  ~SilentWebSocketClient() {
    std::promise<void> closed;
    asio::post(loop_.ioc(), [&] {
      beast::error_code ignored;
      socket_.close(ignored);
      closed.set_value();
    });
    closed.get_future().wait();
    loop_.stop();
  }

  // Writes bytes as they are (frames built by maskedFrame()).
  void send(const std::string& bytes) {
    ClientLoop::await([&](auto done) { asio::async_write(socket_, asio::buffer(bytes), done); });
  }

  struct Seen {
    bool upgraded = false;
    int pings = 0;
    std::vector<std::string> pongs;  // their payloads
    std::optional<int> closeCode;
    bool ended = false;
  };
  template <class P>
  bool waitUntil(P predicate, std::chrono::milliseconds timeout = kWait) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, timeout, [&] { return predicate(parse()); });
  }

 private:
  void readMore() {
    socket_.async_read_some(asio::buffer(chunk_), [this](beast::error_code ec, std::size_t n) {
      {
        std::lock_guard lock(mutex_);
        bytes_.append(chunk_.data(), n);
        ended_ = bool(ec);
      }
      changed_.notify_all();
      if (!ec) readMore();
    });
  }
  // Server frames are unmasked; forgehook's control frames and close frames are short.
  Seen parse() const {
    Seen seen;
    seen.ended = ended_;
    const auto head = bytes_.find("\r\n\r\n");
    if (head == std::string::npos) return seen;
    seen.upgraded = bytes_.starts_with("HTTP/1.1 101");
    std::size_t at = head + 4;
    while (at + 2 <= bytes_.size()) {
      const int opcode = static_cast<unsigned char>(bytes_[at]) & 0x0f;
      std::size_t length = static_cast<unsigned char>(bytes_[at + 1]) & 0x7f;
      std::size_t header = 2;
      if (length == 126) {
        if (at + 4 > bytes_.size()) break;
        length =
            (std::size_t(static_cast<unsigned char>(bytes_[at + 2])) << 8) | static_cast<unsigned char>(bytes_[at + 3]);
        header = 4;
      }
      if (at + header + length > bytes_.size()) break;
      if (opcode == 0x9) ++seen.pings;
      if (opcode == 0xA) seen.pongs.push_back(bytes_.substr(at + header, length));
      if (opcode == 0x8 && length >= 2)
        seen.closeCode = (static_cast<unsigned char>(bytes_[at + header]) << 8) |
                         static_cast<unsigned char>(bytes_[at + header + 1]);
      at += header + length;
    }
    return seen;
  }

  ClientLoop loop_;
  tcp::socket socket_;
  std::array<char, 4096> chunk_{};
  std::mutex mutex_;
  std::condition_variable changed_;
  std::string bytes_;
  bool ended_ = false;
};

// A client frame as RFC 6455 wants it (masked), or unmasked to break the rule. Payloads < 126 bytes.
std::string clientFrame(int firstByte, const std::string& payload, bool masked = true) {
  const unsigned char mask[4] = {0x37, 0xfa, 0x21, 0x3d};
  std::string out;
  out.push_back(static_cast<char>(firstByte));
  out.push_back(static_cast<char>((masked ? 0x80 : 0) | payload.size()));
  if (!masked) return out + payload;
  for (unsigned char m : mask) out.push_back(static_cast<char>(m));
  for (std::size_t i = 0; i < payload.size(); ++i) out.push_back(static_cast<char>(payload[i] ^ mask[i % 4]));
  return out;
}

TEST_F(StreamTest, WebSocketAnswersAClientPingWithAPongCarryingItsPayload) {
  start(withStreams({.heartbeat = 10s}));
  SilentWebSocketClient client(address_);
  probe_.sink(0);
  client.send(clientFrame(0x89, "are you there"));
  EXPECT_TRUE(
      client.waitUntil([](const auto& seen) { return seen.pongs == std::vector<std::string>{"are you there"}; }));
}

TEST_F(StreamTest, WebSocketReassemblesAFragmentedTextMessage) {
  start(withStreams({.heartbeat = 10s}));
  SilentWebSocketClient client(address_);
  probe_.sink(0);
  client.send(clientFrame(0x01, "{\"subscribe\":") + clientFrame(0x89, "between") + clientFrame(0x80, "\"push\"}"));
  EXPECT_TRUE(
      probe_.waitUntil([&] { return probe_.received == std::vector<std::string>{"{\"subscribe\":\"push\"}"}; }));
  EXPECT_TRUE(client.waitUntil([](const auto& seen) { return seen.pongs.size() == 1; }));
}

TEST_F(StreamTest, WebSocketAnswersTheClientsCloseWithItsCodeAndEnds) {
  start(withStreams({.heartbeat = 10s}));
  SilentWebSocketClient client(address_);
  probe_.sink(0);
  client.send(clientFrame(0x88, std::string("\x0f\xa0", 2) + "bye"));  // 4000
  EXPECT_TRUE(client.waitUntil([](const auto& seen) { return seen.closeCode == 4000 && seen.ended; }));
  EXPECT_TRUE(probe_.waitUntil([&] { return probe_.closes[0] == 1; }));
}

TEST_F(StreamTest, WebSocketClosesAClientThatSendsUnmaskedFramesWithProtocolError) {
  start(withStreams({.heartbeat = 10s}));
  SilentWebSocketClient client(address_);
  probe_.sink(0);
  client.send(clientFrame(0x81, "not masked", false));
  EXPECT_TRUE(client.waitUntil([](const auto& seen) { return seen.closeCode == 1002 && seen.ended; }));
  EXPECT_TRUE(probe_.waitUntil([&] { return probe_.closes[0] == 1; }));
  EXPECT_TRUE(probe_.received.empty());
}

TEST_F(StreamTest, WebSocketPingsAndClosesAClientThatNeverAnswersWithCloseIdle) {
  start(withStreams({.heartbeat = 50ms, .idleTimeout = 300ms}));
  SilentWebSocketClient client(address_);
  EXPECT_TRUE(client.waitUntil([](const auto& seen) { return seen.upgraded && seen.pings >= 2; }));
  EXPECT_TRUE(client.waitUntil([](const auto& seen) { return seen.closeCode == kCloseIdle; }));
  EXPECT_TRUE(client.waitUntil([](const auto& seen) { return seen.ended; }));  // no close answer: cut off
  EXPECT_TRUE(probe_.waitUntil([&] { return probe_.closes[0] == 1; }));
  EXPECT_EQ(metrics_.streamDropped.with({"idle"}).value(), 1u);
}

TEST_F(StreamTest, WebSocketClientAnsweringPingsStaysOpenPastTheIdleTimeout) {
  start(withStreams({.heartbeat = 50ms, .idleTimeout = 200ms}));
  WsClient client(address_, "/ws?ticket=ok");
  client.startReading();  // Beast answers pings while it reads
  auto sink = probe_.sink(0);
  // Wait well past the idle timeout, on a condition that must not come true.
  EXPECT_FALSE(probe_.waitUntil([&] { return probe_.closes[0] > 0; }, 600ms));
  EXPECT_TRUE(sink->isOpen());
  ASSERT_TRUE(sink->send("still here"));
  EXPECT_TRUE(client.waitUntil([](const auto& messages, auto) { return !messages.empty(); }));
}

TEST_F(StreamTest, StopClosesOpenStreamsPromptlyAndCallsOnCloseOnce) {
  start(withStreams({.heartbeat = 10s}));
  SseClient sse(address_, "/events?ticket=ok");
  sse.startReading();
  probe_.sink(0);
  WsClient ws(address_, "/ws?ticket=ok");
  ws.startReading();
  probe_.sink(1);
  WsClient silent(address_, "/ws?ticket=ok");  // does not read: cannot answer the close
  auto silentSink = probe_.sink(2);

  const auto before = std::chrono::steady_clock::now();
  server_->stop(10s);
  const auto took = std::chrono::steady_clock::now() - before;
  EXPECT_LT(took, 3s) << "a stream held shutdown";
  EXPECT_TRUE(sse.waitUntil([](const std::string&, bool ended) { return ended; }));
  EXPECT_TRUE(ws.waitUntil([](const auto&, auto code) { return code == kCloseGoingAway; }));
  // Every onClose ran before stop() returned, exactly once.
  EXPECT_EQ(probe_.closed(0), 1);
  EXPECT_EQ(probe_.closed(1), 1);
  EXPECT_EQ(probe_.closed(2), 1);
  EXPECT_FALSE(silentSink->isOpen());
  EXPECT_FALSE(silentSink->send("late"));
  EXPECT_EQ(metrics_.streamsOpen.value(), 0);
  server_.reset();
  EXPECT_FALSE(silentSink->send("after the server is gone"));
}

}  // namespace
}  // namespace forgehook::http
