#include "http/websocket_frame.h"

namespace forgehook::http::websocket_frame {

namespace {
constexpr std::size_t kMaxControlPayload = 125;
constexpr std::size_t kMaxCloseReason = kMaxControlPayload - 2;
}  // namespace

void appendHeader(std::string& out, Opcode opcode, std::size_t payloadSize) {
  out.push_back(static_cast<char>(0x80 | opcode));
  if (payloadSize < 126) {
    out.push_back(static_cast<char>(payloadSize));
  } else if (payloadSize <= 0xFFFF) {
    out.push_back(static_cast<char>(126));
    out.push_back(static_cast<char>(payloadSize >> 8));
    out.push_back(static_cast<char>(payloadSize & 0xFF));
  } else {
    out.push_back(static_cast<char>(127));
    for (int shift = 56; shift >= 0; shift -= 8)
      out.push_back(static_cast<char>((static_cast<std::uint64_t>(payloadSize) >> shift) & 0xFF));
  }
}

std::string closePayload(int code, std::string_view reason) {
  std::string out;
  out.push_back(static_cast<char>((code >> 8) & 0xFF));
  out.push_back(static_cast<char>(code & 0xFF));
  out.append(reason.substr(0, kMaxCloseReason));
  return out;
}

ClientFrame parseClientFrame(const std::uint8_t* data, std::size_t size, std::size_t maxPayload) {
  ClientFrame f;
  auto malformed = [&f](const char* why) {
    f.status = ClientFrame::Status::Malformed;
    f.error = why;
    return f;
  };
  if (size < 2) return f;
  f.fin = (data[0] & 0x80) != 0;
  f.opcode = static_cast<Opcode>(data[0] & 0x0F);
  if ((data[0] & 0x70) != 0) return malformed("reserved bits set (no extension was negotiated)");
  const bool control = (f.opcode & 0x8) != 0;
  if (f.opcode != kContinuation && f.opcode != kText && f.opcode != kBinary && f.opcode != kClose &&
      f.opcode != kPing && f.opcode != kPong)
    return malformed("unknown opcode");
  if ((data[1] & 0x80) == 0) return malformed("client frames must be masked");
  std::uint64_t length = data[1] & 0x7F;
  std::size_t header = 2;
  if (length == 126) {
    if (size < 4) return f;
    length = (std::uint64_t{data[2]} << 8) | data[3];
    header = 4;
  } else if (length == 127) {
    if (size < 10) return f;
    length = 0;
    for (int i = 0; i < 8; ++i) length = (length << 8) | data[2 + i];
    header = 10;
  }
  if (control && (!f.fin || length > kMaxControlPayload)) return malformed("control frames must be whole and short");
  if (!control && length > maxPayload) {
    f.status = ClientFrame::Status::TooLarge;
    return f;
  }
  if (size < header + 4) return f;
  for (int i = 0; i < 4; ++i) f.mask[i] = data[header + i];
  f.headerSize = header + 4;
  f.payloadSize = static_cast<std::size_t>(length);
  if (size < f.headerSize + f.payloadSize) return f;
  f.status = ClientFrame::Status::Complete;
  return f;
}

std::string unmask(const ClientFrame& frame, const std::uint8_t* data) {
  std::string out(reinterpret_cast<const char*>(data + frame.headerSize), frame.payloadSize);
  for (std::size_t i = 0; i < out.size(); ++i) out[i] = static_cast<char>(out[i] ^ frame.mask[i % 4]);
  return out;
}

}  // namespace forgehook::http::websocket_frame
