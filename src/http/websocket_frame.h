#pragma once
// WebSocket framing (RFC 6455 section 5), server side, internal to http/. Beast's websocket::stream
// writes one message per operation; a stream that fans out thousands of small messages a second
// needs many frames in one system call, so after Beast's handshake the stream frames its own
// messages: server frames are unmasked and unfragmented, client frames must be masked.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace forgehook::http::websocket_frame {

enum Opcode : std::uint8_t {
  kContinuation = 0x0,
  kText = 0x1,
  kBinary = 0x2,
  kClose = 0x8,
  kPing = 0x9,
  kPong = 0xA,
};

// Appends the header of one final (FIN) unmasked frame carrying `payloadSize` bytes.
void appendHeader(std::string& out, Opcode opcode, std::size_t payloadSize);

// A close frame's payload: the code, big-endian, then the reason cut to what fits (123 bytes).
[[nodiscard]] std::string closePayload(int code, std::string_view reason);

// One client frame at the start of a buffer.
struct ClientFrame {
  enum class Status {
    NeedMore,   // the buffer holds less than the whole frame
    Complete,   // a frame: headerSize + payloadSize bytes, payload unmasked by unmask()
    Malformed,  // a protocol error: close with 1002
    TooLarge,   // a data frame past the limit: close with 1009
  };
  Status status = Status::NeedMore;
  bool fin = false;
  Opcode opcode = kContinuation;
  std::size_t headerSize = 0;
  std::size_t payloadSize = 0;
  std::uint8_t mask[4] = {0, 0, 0, 0};
  const char* error = "";  // Malformed: what is wrong, for the close reason
};

// Reads the frame at `data`. `maxPayload` bounds data frames (control frames are at most 125 bytes).
[[nodiscard]] ClientFrame parseClientFrame(const std::uint8_t* data, std::size_t size, std::size_t maxPayload);

// The payload of a complete frame, unmasked.
[[nodiscard]] std::string unmask(const ClientFrame& frame, const std::uint8_t* data);

}  // namespace forgehook::http::websocket_frame
