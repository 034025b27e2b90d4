#include "http/websocket_frame.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace forgehook::http::websocket_frame {
namespace {

std::vector<unsigned> u(std::initializer_list<unsigned> b) { return b; }

std::string header(Opcode opcode, std::size_t size) {
  std::string out;
  appendHeader(out, opcode, size);
  return out;
}

TEST(WebSocketFrame, HeaderUsesTheShortestLengthFormOfRfc6455) {
  auto bytes = [](const std::string& s) {
    std::vector<unsigned> out;
    for (unsigned char c : s) out.push_back(c);
    return out;
  };
  EXPECT_EQ(bytes(header(kText, 0)), u({0x81, 0}));
  EXPECT_EQ(bytes(header(kText, 125)), u({0x81, 125}));
  EXPECT_EQ(bytes(header(kText, 126)), u({0x81, 126, 0, 126}));
  EXPECT_EQ(bytes(header(kPing, 0)), u({0x89, 0}));
  EXPECT_EQ(bytes(header(kText, 65535)), u({0x81, 126, 0xff, 0xff}));
  EXPECT_EQ(bytes(header(kText, 65536)), u({0x81, 127, 0, 0, 0, 0, 0, 1, 0, 0}));
}

TEST(WebSocketFrame, ClosePayloadIsTheCodeBigEndianThenTheReasonCutTo123Bytes) {
  const auto payload = closePayload(4000, std::string(200, 'r'));
  ASSERT_EQ(payload.size(), 125u);
  EXPECT_EQ(static_cast<unsigned char>(payload[0]), 0x0f);
  EXPECT_EQ(static_cast<unsigned char>(payload[1]), 0xa0);
}

// The RFC 6455 section 5.7 example: a masked "Hello" from a client.
const std::vector<std::uint8_t> kMaskedHello = {0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58};

TEST(WebSocketFrame, ParsesAndUnmasksTheRfcExample) {
  const auto f = parseClientFrame(kMaskedHello.data(), kMaskedHello.size(), 1024);
  ASSERT_EQ(f.status, ClientFrame::Status::Complete);
  EXPECT_TRUE(f.fin);
  EXPECT_EQ(f.opcode, kText);
  EXPECT_EQ(f.headerSize, 6u);
  EXPECT_EQ(f.payloadSize, 5u);
  EXPECT_EQ(unmask(f, kMaskedHello.data()), "Hello");
}

TEST(WebSocketFrame, EveryPrefixOfAFrameNeedsMore) {
  for (std::size_t n = 0; n < kMaskedHello.size(); ++n)
    EXPECT_EQ(parseClientFrame(kMaskedHello.data(), n, 1024).status, ClientFrame::Status::NeedMore) << n;
}

TEST(WebSocketFrame, ExtendedLengthsAreRead) {
  std::vector<std::uint8_t> frame = {0x82, 0x80 | 126, 0x01, 0x00, 1, 2, 3, 4};
  frame.resize(frame.size() + 256, 0);
  const auto f = parseClientFrame(frame.data(), frame.size(), 1024);
  ASSERT_EQ(f.status, ClientFrame::Status::Complete);
  EXPECT_EQ(f.payloadSize, 256u);
  EXPECT_EQ(f.headerSize, 8u);
}

TEST(WebSocketFrame, RefusesWhatTheRfcForbids) {
  const std::vector<std::uint8_t> unmasked = {0x81, 0x05, 'H', 'e', 'l', 'l', 'o'};
  EXPECT_EQ(parseClientFrame(unmasked.data(), unmasked.size(), 1024).status, ClientFrame::Status::Malformed);
  const std::vector<std::uint8_t> reserved = {0xC1, 0x80, 0, 0, 0, 0};  // RSV1 without an extension
  EXPECT_EQ(parseClientFrame(reserved.data(), reserved.size(), 1024).status, ClientFrame::Status::Malformed);
  const std::vector<std::uint8_t> fragmentedPing = {0x09, 0x80, 0, 0, 0, 0};
  EXPECT_EQ(parseClientFrame(fragmentedPing.data(), fragmentedPing.size(), 1024).status,
            ClientFrame::Status::Malformed);
  const std::vector<std::uint8_t> longPing = {0x89, 0x80 | 126, 0, 126, 0, 0, 0, 0};
  EXPECT_EQ(parseClientFrame(longPing.data(), longPing.size(), 1024).status, ClientFrame::Status::Malformed);
  const std::vector<std::uint8_t> unknownOpcode = {0x83, 0x80, 0, 0, 0, 0};
  EXPECT_EQ(parseClientFrame(unknownOpcode.data(), unknownOpcode.size(), 1024).status, ClientFrame::Status::Malformed);
}

TEST(WebSocketFrame, ADataFramePastTheLimitIsTooLargeBeforeItArrives) {
  const std::vector<std::uint8_t> big = {0x81, 0x80 | 127, 0, 0, 0, 0, 0, 0x10, 0, 0};  // 1 MiB announced
  EXPECT_EQ(parseClientFrame(big.data(), big.size(), 64 * 1024).status, ClientFrame::Status::TooLarge);
}

}  // namespace
}  // namespace forgehook::http::websocket_frame
