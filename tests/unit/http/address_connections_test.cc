#include "http/address_connections.h"

#include <gtest/gtest.h>

#include <vector>

namespace forgehook::http {
namespace {

TEST(AddressConnectionsTest, AnAddressAtTheCapIsRefusedUntilOneOfItsConnectionsEnds) {
  AddressConnections connections(2);
  auto first = connections.acquire("192.0.2.1");
  auto second = connections.acquire("192.0.2.1");
  ASSERT_TRUE(first && second);
  EXPECT_EQ(connections.open("192.0.2.1"), 2);
  EXPECT_FALSE(connections.acquire("192.0.2.1").has_value());
  EXPECT_TRUE(connections.acquire("192.0.2.2").has_value()) << "another address has its own allowance";
  first.reset();
  EXPECT_EQ(connections.open("192.0.2.1"), 1);
  EXPECT_TRUE(connections.acquire("192.0.2.1").has_value());
}

TEST(AddressConnectionsTest, AMovedLeaseIsReleasedOnceByItsLastHolder) {
  AddressConnections connections(1);
  std::vector<AddressConnections::Lease> held;
  held.push_back(std::move(*connections.acquire("2001:db8::1")));
  AddressConnections::Lease moved = std::move(held.back());
  held.clear();  // the moved-from lease releases nothing
  EXPECT_EQ(connections.open("2001:db8::1"), 1);
  EXPECT_FALSE(connections.acquire("2001:db8::1").has_value());
  moved = AddressConnections::Lease();  // assigning over a lease releases it
  EXPECT_EQ(connections.open("2001:db8::1"), 0);
  EXPECT_TRUE(connections.acquire("2001:db8::1").has_value());
}

TEST(AddressConnectionsTest, ZeroMeansNoCapAndCountsNothing) {
  AddressConnections connections(0);
  std::vector<AddressConnections::Lease> held;
  for (int i = 0; i < 10'000; ++i) {
    auto lease = connections.acquire("192.0.2.1");
    ASSERT_TRUE(lease.has_value()) << i;
    held.push_back(std::move(*lease));
  }
  EXPECT_EQ(connections.open("192.0.2.1"), 0);
}

}  // namespace
}  // namespace forgehook::http
