// A Server-Sent Events stream: a 200 text/event-stream response with a chunked body that stays open,
// one chunk per message. A pending read on the socket notices the client leaving.
#include <array>
#include <boost/asio/write.hpp>
#include <boost/beast/core/buffers_cat.hpp>
#include <boost/beast/http/chunk_encode.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/serializer.hpp>
#include <boost/beast/http/write.hpp>
#include <cstdio>
#include <vector>

#include "http/session.h"
#include "http/stream_session.h"

namespace forgehook::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;

namespace {

class SseSession final : public StreamSession {
 public:
  SseSession(beast::tcp_stream&& stream, SessionContext& context, StreamSetup setup)
      : StreamSession(stream.get_executor(), context, std::move(setup)), stream_(std::move(stream)) {}

 private:
  struct Head {
    bhttp::response<bhttp::empty_body> response{bhttp::status::ok, 11};
    bhttp::response_serializer<bhttp::empty_body> serializer{response};
  };

  std::shared_ptr<SseSession> self() { return std::static_pointer_cast<SseSession>(shared_from_this()); }

  void startTransport() override {
    // Deadlines are the stream's own (write timeout, drain), kept by its timer.
    stream_->expires_never();
    head_ = std::make_unique<Head>();
    auto& r = head_->response;
    r.set(bhttp::field::server, "forgehook");
    r.set(bhttp::field::content_type, "text/event-stream");
    r.set(bhttp::field::cache_control, "no-store");
    r.set("X-Accel-Buffering", "no");
    r.set(bhttp::field::connection, "keep-alive");
    r.chunked(true);
    bhttp::async_write_header(*stream_, head_->serializer, [self = self()](beast::error_code ec, std::size_t) {
      self->head_.reset();
      if (self->ended()) return;
      if (ec) return self->end("client_gone");
      self->read();
      self->opened("retry: " + self->options().sseRetryMs + "\n\n");
    });
  }

  // The client sends nothing on an event stream: what it sends is discarded, and the end of the
  // connection ends the stream.
  void read() {
    stream_->socket().async_read_some(asio::buffer(readBuffer_), [self = self()](beast::error_code ec, std::size_t) {
      if (self->ended()) return;
      if (ec) return self->end("client_closed");
      self->read();
    });
  }

  // One chunk per item, all in one write.
  void writeBatch(const std::vector<Outgoing>& items) override {
    static constexpr char kCrlf[] = "\r\n";
    sizes_.clear();
    std::vector<std::size_t> ends;
    ends.reserve(items.size());
    for (const auto& item : items) {
      if (item.data->empty()) {  // a zero-size chunk would end the response: nothing to write
        ends.push_back(sizes_.size());
        continue;
      }
      char hex[20];
      const int n = std::snprintf(hex, sizeof hex, "%zx\r\n", item.data->size());
      sizes_.append(hex, static_cast<std::size_t>(n));
      ends.push_back(sizes_.size());
    }
    buffers_.clear();
    std::size_t start = 0;
    for (std::size_t i = 0; i < items.size(); ++i) {
      if (items[i].data->empty()) continue;
      buffers_.emplace_back(sizes_.data() + start, ends[i] - start);
      buffers_.emplace_back(items[i].data->data(), items[i].data->size());
      buffers_.emplace_back(kCrlf, 2);
      start = ends[i];
    }
    asio::async_write(*stream_, buffers_, [self = self()](beast::error_code ec, std::size_t) { self->onWritten(!ec); });
  }

  void writeClose(int, const std::string&, const std::string& finalMessage) override {
    auto done = [self = self()](beast::error_code, std::size_t) {
      if (self->ended()) return;
      beast::error_code ignored;
      self->stream_->socket().shutdown(asio::ip::tcp::socket::shutdown_send, ignored);
      self->end(self->why());
    };
    if (finalMessage.empty())
      asio::async_write(*stream_, bhttp::make_chunk_last(), std::move(done));
    else
      asio::async_write(*stream_,
                        beast::buffers_cat(bhttp::make_chunk(asio::buffer(finalMessage)), bhttp::make_chunk_last()),
                        std::move(done));
  }

  void releaseTransport() override {
    if (!stream_) return;
    stream_->close();
    stream_.reset();
  }

  std::optional<beast::tcp_stream> stream_;
  std::unique_ptr<Head> head_;
  std::array<char, 512> readBuffer_{};
  std::string sizes_;  // the chunk-size lines of the batch being written
  std::vector<asio::const_buffer> buffers_;
};

}  // namespace

void startSseSession(beast::tcp_stream&& stream, SessionContext& context, StreamSetup setup) {
  auto moved = toStreamThread(std::move(stream), context);
  auto executor = moved.get_executor();
  auto session = std::make_shared<SseSession>(std::move(moved), context, std::move(setup));
  asio::post(executor, [session] { session->begin(); });
}

}  // namespace forgehook::http
