#include "store/body_codec.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <optional>
#include <random>
#include <sstream>
#include <string>

namespace forgehook::store {
namespace {

namespace fs = std::filesystem;

constexpr const char* kExamples = "node_modules/@octokit/webhooks-examples/api.github.com/index.json";

// GitHub's payload examples, found by walking up from the working directory to the checkout.
std::optional<std::string> readGithubExamples() {
  for (fs::path dir = fs::current_path(); !dir.empty(); dir = dir.parent_path()) {
    if (fs::exists(dir / "node_modules/@octokit/webhooks-examples")) {
      std::ifstream in(dir / kExamples, std::ios::binary);
      if (!in) return std::nullopt;
      std::ostringstream text;
      text << in.rdbuf();
      return text.str();
    }
    if (dir == dir.root_path()) break;
  }
  return std::nullopt;
}

std::string randomBytes(std::size_t n, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::string out(n, '\0');
  for (auto& c : out) c = static_cast<char>(rng() & 0xff);
  return out;
}

class BodyCodecTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto examples = readGithubExamples();
    ASSERT_TRUE(examples.has_value()) << "cannot find " << kExamples << " above " << fs::current_path()
                                      << "; run the tests from inside the checkout after `npm ci`";
    ASSERT_GT(examples->size(), 100'000u);
    payload_ = *examples;
  }
  std::string payload_;
};

TEST_F(BodyCodecTest, ZstdRoundTripsRealGithubPayloads) {
  const EncodedBody encoded = encodeBody(payload_, 1);
  EXPECT_EQ(encoded.encoding, "zstd");
  // Repetitive JSON shrinks several-fold; that is why bodies are compressed at all.
  EXPECT_LT(encoded.bytes.size(), payload_.size() / 4);
  const auto decoded = decodeBody(encoded.bytes, encoded.encoding);
  ASSERT_TRUE(decoded.has_value()) << decoded.error().message;
  EXPECT_TRUE(*decoded == payload_);
}

TEST_F(BodyCodecTest, ZstdRoundTripsAtHighLevelAndSmallBodies) {
  const std::string slice = payload_.substr(0, 64 * 1024);
  for (int level : {3, 19}) {
    const EncodedBody encoded = encodeBody(slice, level);
    EXPECT_EQ(encoded.encoding, "zstd") << level;
    const auto decoded = decodeBody(encoded.bytes, encoded.encoding);
    ASSERT_TRUE(decoded.has_value()) << level;
    EXPECT_TRUE(*decoded == slice) << level;
  }
}

TEST_F(BodyCodecTest, FastNegativeLevelsCompressAndRoundTrip) {
  for (int level : {-1, -5}) {
    const EncodedBody encoded = encodeBody(payload_, level);
    EXPECT_EQ(encoded.encoding, "zstd") << level;
    EXPECT_LT(encoded.bytes.size(), payload_.size() / 4) << level;
    const auto decoded = decodeBody(encoded.bytes, encoded.encoding);
    ASSERT_TRUE(decoded.has_value()) << level;
    EXPECT_TRUE(*decoded == payload_) << level;
  }
}

TEST_F(BodyCodecTest, LevelZeroKeepsBodyAsIs) {
  const std::string slice = payload_.substr(0, 10'000);
  const EncodedBody encoded = encodeBody(slice, 0);
  EXPECT_EQ(encoded.encoding, "identity");
  EXPECT_TRUE(encoded.bytes == slice);
  const auto decoded = decodeBody(slice, "identity");
  ASSERT_TRUE(decoded.has_value());
  EXPECT_TRUE(*decoded == slice);
}

TEST(BodyCodecPlainTest, EmptyBodyIsIdentity) {
  const EncodedBody encoded = encodeBody("", 3);
  EXPECT_EQ(encoded.encoding, "identity");
  EXPECT_EQ(encoded.bytes, "");
  const auto decoded = decodeBody("", "identity");
  ASSERT_TRUE(decoded.has_value());
  EXPECT_EQ(*decoded, "");
}

TEST(BodyCodecPlainTest, IncompressibleBytesStayIdentity) {
  for (std::size_t size : {std::size_t{1}, std::size_t{100}, std::size_t{64 * 1024}}) {
    const std::string noise = randomBytes(size, 42 + size);
    const EncodedBody encoded = encodeBody(noise, 1);
    EXPECT_EQ(encoded.encoding, "identity") << size;
    EXPECT_TRUE(encoded.bytes == noise) << size;
  }
}

TEST_F(BodyCodecTest, TruncatedZstdIsAnError) {
  const EncodedBody encoded = encodeBody(payload_.substr(0, 64 * 1024), 1);
  ASSERT_EQ(encoded.encoding, "zstd");
  const auto decoded = decodeBody(std::string_view(encoded.bytes).substr(0, encoded.bytes.size() / 2), "zstd");
  ASSERT_FALSE(decoded.has_value());
  EXPECT_EQ(decoded.error().code, core::Code::Internal);
}

TEST(BodyCodecPlainTest, GarbageLabelledZstdIsAnError) {
  for (const std::string& bad : {std::string("not zstd at all"), std::string(), randomBytes(4096, 7)}) {
    const auto decoded = decodeBody(bad, "zstd");
    ASSERT_FALSE(decoded.has_value()) << bad.size();
    EXPECT_EQ(decoded.error().code, core::Code::Internal);
  }
}

TEST(BodyCodecPlainTest, UnknownEncodingIsAnError) {
  for (const char* encoding : {"gzip", "", "ZSTD", "br"}) {
    const auto decoded = decodeBody("{}", encoding);
    ASSERT_FALSE(decoded.has_value()) << encoding;
    EXPECT_EQ(decoded.error().code, core::Code::Internal) << encoding;
  }
}

}  // namespace
}  // namespace forgehook::store
