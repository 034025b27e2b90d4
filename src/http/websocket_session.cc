// A WebSocket stream: Beast's websocket::stream on the connection, accepted with the request the
// HttpSession already parsed. Text messages out through the one writer; heartbeats are pings; any
// frame from the client (a pong included) proves it alive.
#include <boost/asio/post.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/websocket.hpp>

#include "http/session.h"
#include "http/stream_session.h"

namespace forgehook::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace websocket = boost::beast::websocket;

namespace {

// Clients send small control messages (filters, acknowledgements), never bulk data.
constexpr std::size_t kMaxClientMessageBytes = 64 * 1024;
constexpr std::size_t kMaxCloseReasonBytes = 123;  // RFC 6455 5.5: control payloads are at most 125 bytes

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
    // Beast's websocket timeouts replace the TCP stream's. Its handshake timeout bounds the accept and
    // the closing handshake; heartbeats and the idle deadline are the stream's own, so that an idle
    // client gets a close frame with kCloseIdle rather than a dropped connection.
    beast::get_lowest_layer(*ws_).expires_never();
    websocket::stream_base::timeout timeout{};
    timeout.handshake_timeout = writeTimeout();
    timeout.idle_timeout = websocket::stream_base::none();
    timeout.keep_alive_pings = false;
    ws_->set_option(timeout);
    ws_->set_option(websocket::stream_base::decorator(
        [](websocket::response_type& response) { response.set(bhttp::field::server, "forgehook"); }));
    ws_->read_message_max(kMaxClientMessageBytes);
    ws_->text(true);
    ws_->control_callback([this](websocket::frame_type, beast::string_view) { lastReceived_ = Clock::now(); });
    ws_->async_accept(upgrade_, [self = self()](beast::error_code ec) {
      self->upgrade_ = {};
      if (self->ended()) return;
      if (ec) return self->end("handshake_failed");
      self->lastReceived_ = Clock::now();
      self->opened();
      self->read();
    });
  }

  void read() {
    if (ended()) return;
    ws_->async_read(readBuffer_, [self = self()](beast::error_code ec, std::size_t) { self->onRead(ec); });
  }

  void onRead(beast::error_code ec) {
    if (ended()) return;
    if (ec) return end(ec == websocket::error::closed ? "client_closed" : "client_gone");
    lastReceived_ = Clock::now();
    if (!ws_->got_text() || !answer().onMessage) {
      readBuffer_.clear();
      return read();
    }
    std::string message = beast::buffers_to_string(readBuffer_.data());
    readBuffer_.clear();
    // The next read waits for the handler, so a client that floods costs one message of memory.
    runCallback([self = self(), message = std::move(message)]() mutable {
      self->answer().onMessage(std::move(message));
      asio::post(self->executor_, [self] { self->read(); });
    });
  }

  std::optional<Clock::time_point> idleDeadline() const override { return lastReceived_ + options().idleTimeout; }

  void onIdle() override { requestClose(kCloseIdle, "no pong within the idle timeout", {}, "idle", writeTimeout()); }

  void writeItem(const Outgoing& item) override {
    if (item.control)
      ws_->async_ping({}, [self = self()](beast::error_code ec) { self->onWritten(!ec); });
    else
      ws_->async_write(asio::buffer(item.data),
                       [self = self()](beast::error_code ec, std::size_t) { self->onWritten(!ec); });
  }

  void writeClose(int code, const std::string& reason, const std::string&) override {
    websocket::close_reason frame(static_cast<std::uint16_t>(code));
    frame.reason = reason.substr(0, kMaxCloseReasonBytes);
    ws_->async_close(frame, [self = self()](beast::error_code) { self->end(self->why()); });
  }

  void releaseTransport() override {
    if (!ws_) return;
    beast::get_lowest_layer(*ws_).close();
    ws_.reset();
  }

  std::optional<websocket::stream<beast::tcp_stream>> ws_;
  bhttp::request<bhttp::string_body> upgrade_;
  beast::flat_buffer readBuffer_;
  Clock::time_point lastReceived_ = Clock::now();
};

}  // namespace

void startWebSocketSession(beast::tcp_stream&& stream, bhttp::request<bhttp::string_body>&& upgrade,
                           SessionContext& context, StreamSetup setup) {
  std::make_shared<WebSocketSession>(std::move(stream), std::move(upgrade), context, std::move(setup))->begin();
}

}  // namespace forgehook::http
