// The SSRF guard's address classes over a table of addresses (IPv4, IPv6, IPv4-mapped), and the
// checks on a callback URL at create time.
#include "outbound/address_policy.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace forgehook::outbound {
namespace {

using ::testing::HasSubstr;

struct Case {
  const char* address;
  AddressClass expected;
};

TEST(AddressPolicyTest, ClassifiesATableOfAddresses) {
  const Case cases[] = {
      {"8.8.8.8", AddressClass::Public},
      {"140.82.112.3", AddressClass::Public},
      {"172.15.255.255", AddressClass::Public},
      {"172.32.0.1", AddressClass::Public},
      {"100.63.255.255", AddressClass::Public},
      {"100.128.0.1", AddressClass::Public},
      {"127.0.0.1", AddressClass::Loopback},
      {"127.255.255.254", AddressClass::Loopback},
      {"10.0.0.1", AddressClass::Private},
      {"172.16.0.1", AddressClass::Private},
      {"172.31.255.255", AddressClass::Private},
      {"192.168.1.1", AddressClass::Private},
      {"169.254.169.254", AddressClass::LinkLocal},
      {"100.64.0.1", AddressClass::SharedCgnat},
      {"100.127.255.255", AddressClass::SharedCgnat},
      {"0.0.0.0", AddressClass::Unspecified},
      {"0.1.2.3", AddressClass::Unspecified},
      {"224.0.0.1", AddressClass::Multicast},
      {"239.255.255.250", AddressClass::Multicast},
      {"255.255.255.255", AddressClass::Reserved},
      {"240.0.0.1", AddressClass::Reserved},
      {"192.0.2.1", AddressClass::Reserved},
      {"2606:4700:4700::1111", AddressClass::Public},
      {"::1", AddressClass::Loopback},
      {"[::1]", AddressClass::Loopback},
      {"::", AddressClass::Unspecified},
      {"fc00::1", AddressClass::Private},
      {"fd12:3456::1", AddressClass::Private},
      {"fe80::1", AddressClass::LinkLocal},
      {"ff02::1", AddressClass::Multicast},
      {"2001:db8::1", AddressClass::Reserved},
      {"::ffff:127.0.0.1", AddressClass::Loopback},
      {"::ffff:10.1.2.3", AddressClass::Private},
      {"::ffff:169.254.169.254", AddressClass::LinkLocal},
      {"::ffff:8.8.8.8", AddressClass::Public},
      {"::127.0.0.1", AddressClass::Loopback},
      {"64:ff9b::a9fe:a9fe", AddressClass::LinkLocal},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.address);
    const auto got = classifyAddress(c.address);
    ASSERT_TRUE(got.has_value());
    EXPECT_EQ(*got, c.expected);
  }
}

TEST(AddressPolicyTest, HostNamesAreNotNumericAddresses) {
  EXPECT_FALSE(classifyAddress("localhost").has_value());
  EXPECT_FALSE(classifyAddress("example.com").has_value());
  EXPECT_FALSE(classifyAddress("").has_value());
}

TEST(AddressPolicyTest, CallbackUrlParsesSchemeHostAndDefaultPort) {
  auto url = checkCallbackUrl("https://hooks.example.com/x?y=1", false);
  ASSERT_TRUE(url.has_value()) << url.error().message;
  EXPECT_EQ(url->scheme, "https");
  EXPECT_EQ(url->host, "hooks.example.com");
  EXPECT_EQ(url->port, 443);
  url = checkCallbackUrl("http://[2606:4700::1]:8080/", false);
  ASSERT_TRUE(url.has_value()) << url.error().message;
  EXPECT_EQ(url->host, "2606:4700::1");
  EXPECT_EQ(url->port, 8080);
}

TEST(AddressPolicyTest, CallbackUrlRefusesOtherSchemesCredentialsAndGuardedLiterals) {
  EXPECT_THAT(checkCallbackUrl("ftp://example.com/", false).error().message, HasSubstr("http or https"));
  EXPECT_THAT(checkCallbackUrl("file:///etc/passwd", false).error().message, HasSubstr("http or https"));
  EXPECT_THAT(checkCallbackUrl("https://u:p@example.com/", false).error().message, HasSubstr("credentials"));
  EXPECT_THAT(checkCallbackUrl("example.com/x", false).error().message, HasSubstr("http"));
  EXPECT_THAT(checkCallbackUrl("", false).error().message, HasSubstr("required"));
  for (const char* url : {"http://127.0.0.1/", "http://10.0.0.8:9000/", "http://169.254.169.254/latest",
                          "http://[::1]/", "http://[::ffff:192.168.0.1]/", "http://0.0.0.0/"}) {
    SCOPED_TRACE(url);
    const auto refused = checkCallbackUrl(url, false);
    ASSERT_FALSE(refused.has_value());
    EXPECT_EQ(refused.error().code, core::Code::InvalidArgument);
    EXPECT_THAT(refused.error().message, HasSubstr("allow_private_networks"));
    EXPECT_TRUE(checkCallbackUrl(url, true).has_value());
  }
  // A name is checked when it is resolved, at send time.
  EXPECT_TRUE(checkCallbackUrl("http://localhost:8080/", false).has_value());
}

}  // namespace
}  // namespace forgehook::outbound
