#pragma once
// How many connections each client address holds open, and the cap on it
// (server.max_connections_per_ip): one client cannot take every connection the server allows.
// A connection holds a Lease for its life. Thread-safe.
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

namespace forgehook::http {

class AddressConnections {
 public:
  // One connection of an address; releases it when destroyed. Move-only.
  class Lease {
   public:
    Lease() = default;
    Lease(Lease&& other) noexcept : owner_(other.owner_), address_(std::move(other.address_)) { other.owner_ = nullptr; }
    Lease& operator=(Lease&& other) noexcept;
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    ~Lease() { release(); }

   private:
    friend class AddressConnections;
    Lease(AddressConnections* owner, std::string address) : owner_(owner), address_(std::move(address)) {}
    void release();
    AddressConnections* owner_ = nullptr;  // null: counts nothing (no cap, or moved from)
    std::string address_;
  };

  // `maxPerAddress` connections per address at once; 0 = no cap (nothing is counted).
  explicit AddressConnections(std::int64_t maxPerAddress) : max_(maxPerAddress) {}

  // A lease when `address` holds fewer than the cap; nullopt when it is at the cap.
  [[nodiscard]] std::optional<Lease> acquire(const std::string& address);

  // Connections `address` holds now (0 without a cap).
  [[nodiscard]] std::int64_t open(const std::string& address) const;

 private:
  void release(const std::string& address);
  const std::int64_t max_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, std::int64_t> open_;  // only addresses with a connection
};

}  // namespace forgehook::http
