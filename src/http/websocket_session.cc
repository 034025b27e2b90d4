// A WebSocket stream. Beast accepts the upgrade (the request the HttpSession already parsed); then
// the session frames its own messages on the socket (see websocket_frame.h for why), so a burst of
// queued messages goes out in one write. Heartbeats are pings; any frame from the client (a pong
// included) proves it alive; a client's ping is answered with a pong, its close with a close.
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/websocket.hpp>

#include "http/session.h"
#include "http/stream_session.h"
#include "http/websocket_frame.h"

namespace forgehook::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace websocket = boost::beast::websocket;
namespace frame = websocket_frame;

namespace {

// Clients send small control messages (filters, acknowledgements), never bulk data.
constexpr std::size_t kMaxClientMessageBytes = 64 * 1024;
constexpr std::size_t kReadChunk = 4096;
constexpr int kCloseProtocolError = 1002;
constexpr int kCloseTooBig = 1009;

class WebSocketSession final : public StreamSession {
 public:
  WebSocketSession(beast::tcp_stream&& stream, bhttp::request<bhttp::string_body>&& upgrade, SessionContext& context,
                   StreamSetup setup)
      : StreamSession(stream.get_executor(), context, std::move(setup)),
        ws_(std::in_place, std::move(stream)),
        upgrade_(std::move(upgrade)) {}

 private:
  std::shared_ptr<WebSocketSession> self() { return std::static_pointer_cast<WebSocketSession>(shared_from_this()); }

  void startTransport() override {
    // Beast's handshake timeout bounds the accept; after it the stream keeps its own deadlines.
    beast::get_lowest_layer(*ws_).expires_never();
    websocket::stream_base::timeout timeout{};
    timeout.handshake_timeout = writeTimeout();
    timeout.idle_timeout = websocket::stream_base::none();
    timeout.keep_alive_pings = false;
    ws_->set_option(timeout);
    ws_->set_option(websocket::stream_base::decorator(
        [](websocket::response_type& response) { response.set(bhttp::field::server, "forgehook"); }));
    ws_->async_accept(upgrade_, [self = self()](beast::error_code ec) {
      self->upgrade_ = {};
      if (self->ended()) return;
      if (ec) return self->end("handshake_failed");
      // Beast read nothing past the request (it was parsed before), so the socket holds every byte
      // the client sent after it.
      self->socket_.emplace(beast::get_lowest_layer(*self->ws_).release_socket());
      self->ws_.reset();
      self->lastReceived_ = Clock::now();
      self->opened();
      self->read();
    });
  }

  // Handles the frames already read; reads more when they end mid-frame. Stops while a text message
  // is with the handler (it reads again after), so a client that floods costs one message of memory.
  void read() {
    if (ended() || !parseFrames()) return;
    auto space = readBuffer_.prepare(kReadChunk);
    socket_->async_read_some(space, [self = self()](beast::error_code ec, std::size_t n) {
      if (self->ended()) return;
      if (ec) return self->end(self->closeSent_ ? self->why() : "client_gone");
      self->readBuffer_.commit(n);
      self->lastReceived_ = Clock::now();
      self->read();
    });
  }

  // Returns true when it needs more bytes, false when reading pauses or ends.
  bool parseFrames() {
    for (;;) {
      const auto* data = static_cast<const std::uint8_t*>(readBuffer_.data().data());
      const auto f = frame::parseClientFrame(data, readBuffer_.size(), kMaxClientMessageBytes - fragments_.size());
      switch (f.status) {
        case frame::ClientFrame::Status::NeedMore:
          return true;
        case frame::ClientFrame::Status::Malformed:
          protocolFailure(kCloseProtocolError, f.error);
          return false;
        case frame::ClientFrame::Status::TooLarge:
          protocolFailure(kCloseTooBig, "message too big");
          return false;
        case frame::ClientFrame::Status::Complete:
          break;
      }
      std::string payload = frame::unmask(f, data);
      readBuffer_.consume(f.headerSize + f.payloadSize);
      if (!onFrame(f, std::move(payload))) return false;
    }
  }

  // Returns false when reading pauses (a message is with the handler) or ends.
  bool onFrame(const frame::ClientFrame& f, std::string payload) {
    switch (f.opcode) {
      case frame::kPing:
        queueControl({std::make_shared<const std::string>(std::move(payload)), Outgoing::Kind::Pong});
        return true;
      case frame::kPong:
        return true;
      case frame::kClose: {
        closeReceived_ = true;
        if (closeSent_) {  // the answer to ours: the closing handshake is done
          end(why());
          return false;
        }
        discardQueued();
        requestClose(echoCode(payload), {}, {}, "client_closed", writeTimeout());
        return false;
      }
      case frame::kText:
      case frame::kBinary:
        if (inMessage_) return protocolFailure(kCloseProtocolError, "a new message inside a fragmented one");
        inMessage_ = true;
        textMessage_ = f.opcode == frame::kText;
        fragments_ = std::move(payload);
        break;
      case frame::kContinuation:
        if (!inMessage_) return protocolFailure(kCloseProtocolError, "a continuation without a message");
        fragments_ += payload;
        break;
    }
    if (!f.fin) return true;
    inMessage_ = false;
    std::string message = std::move(fragments_);
    fragments_.clear();
    if (!textMessage_ || !answer().onMessage || closeSent_) return true;
    runCallback([self = self(), message = std::move(message)]() mutable {
      self->answer().onMessage(std::move(message));
      asio::post(self->executor_, [self] { self->read(); });
    });
    return false;
  }

  // The code to answer a client's close with: its own when it may be sent (RFC 6455 7.4), else normal.
  static int echoCode(const std::string& payload) {
    if (payload.size() < 2) return kCloseNormal;
    const int code = (static_cast<unsigned char>(payload[0]) << 8) | static_cast<unsigned char>(payload[1]);
    const bool sendable =
        (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1011) || (code >= 3000 && code <= 4999);
    return sendable ? code : kCloseNormal;
  }

  bool protocolFailure(int code, const char* reason) {
    endAfterClose_ = true;  // no goodbye is expected from a client that breaks the protocol
    discardQueued();
    requestClose(code, reason, {}, "protocol_error", writeTimeout());
    return false;
  }

  std::optional<Clock::time_point> idleDeadline() const override { return lastReceived_ + options().idleTimeout; }

  void onIdle() override { requestClose(kCloseIdle, "no pong within the idle timeout", {}, "idle", writeTimeout()); }

  void writeBatch(const std::vector<Outgoing>& items) override {
    // Headers first, into one string that no longer grows, then the buffers that point into it.
    headers_.clear();
    std::vector<std::size_t> ends;
    ends.reserve(items.size());
    for (const auto& item : items) {
      const auto opcode = item.kind == Outgoing::Kind::Heartbeat ? frame::kPing
                          : item.kind == Outgoing::Kind::Pong    ? frame::kPong
                                                                 : frame::kText;
      frame::appendHeader(headers_, opcode, item.data->size());
      ends.push_back(headers_.size());
    }
    buffers_.clear();
    std::size_t start = 0;
    for (std::size_t i = 0; i < items.size(); ++i) {
      buffers_.emplace_back(headers_.data() + start, ends[i] - start);
      if (!items[i].data->empty()) buffers_.emplace_back(items[i].data->data(), items[i].data->size());
      start = ends[i];
    }
    asio::async_write(*socket_, buffers_, [self = self()](beast::error_code ec, std::size_t) { self->onWritten(!ec); });
  }

  void writeClose(int code, const std::string& reason, const std::string&) override {
    closeSent_ = true;
    const std::string payload = frame::closePayload(code, reason);
    headers_.clear();
    frame::appendHeader(headers_, frame::kClose, payload.size());
    headers_ += payload;
    asio::async_write(*socket_, asio::buffer(headers_), [self = self()](beast::error_code ec, std::size_t) {
      if (self->ended()) return;
      // The client answers with its close frame (read() ends the stream then); the close deadline
      // bounds the wait.
      if (ec || self->closeReceived_ || self->endAfterClose_) self->end(self->why());
    });
  }

  void releaseTransport() override {
    beast::error_code ignored;
    if (socket_) {
      socket_->shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
      socket_->close(ignored);
      socket_.reset();
    }
    if (ws_) {
      beast::get_lowest_layer(*ws_).close();
      ws_.reset();
    }
  }

  std::optional<websocket::stream<beast::tcp_stream>> ws_;  // until the handshake is done
  std::optional<asio::ip::tcp::socket> socket_;             // after it
  bhttp::request<bhttp::string_body> upgrade_;
  beast::flat_buffer readBuffer_;
  std::string fragments_;  // a message arriving in several frames
  bool inMessage_ = false, textMessage_ = false;
  bool closeSent_ = false, closeReceived_ = false, endAfterClose_ = false;
  std::string headers_;
  std::vector<asio::const_buffer> buffers_;
  Clock::time_point lastReceived_ = Clock::now();
};

}  // namespace

void startWebSocketSession(beast::tcp_stream&& stream, bhttp::request<bhttp::string_body>&& upgrade,
                           SessionContext& context, StreamSetup setup) {
  auto moved = toStreamThread(std::move(stream), context);
  auto executor = moved.get_executor();
  auto session = std::make_shared<WebSocketSession>(std::move(moved), std::move(upgrade), context, std::move(setup));
  asio::post(executor, [session] { session->begin(); });
}

}  // namespace forgehook::http
