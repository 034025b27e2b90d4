#pragma once
// One MCP client session: who it is (its token), the protocol version agreed at `initialize`, its
// resource subscriptions (change-hub subscriptions) and its SSE stream, where the notifications go.
// Changes are coalesced per URI: a URI changed in a burst is notified once, then at most once per
// kNotifyGap, always within a second of the change (flush() runs every ~50 ms).
// Thread-safe: the hub thread marks changes, the flush thread sends, request threads subscribe.
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "http/stream.h"
#include "live/change_hub.h"
#include "mcp/resource_catalog.h"

namespace forgehook::mcp {

using SteadyTime = std::chrono::steady_clock::time_point;

class McpSession : public std::enable_shared_from_this<McpSession> {
 public:
  static constexpr std::chrono::milliseconds kNotifyGap{200};

  struct Identity {
    std::string id;        // the Mcp-Session-Id: random, 128 bits
    std::string token;     // the bearer token that opened it: tools call the API as this caller
    bool readOnly = true;  // a read-only API token (not the admin token)
    std::string protocolVersion;
  };
  McpSession(Identity identity, live::ChangeHub& hub, SteadyTime now);
  ~McpSession();  // unsubscribes from the hub
  McpSession(const McpSession&) = delete;
  McpSession& operator=(const McpSession&) = delete;

  [[nodiscard]] const Identity& identity() const { return identity_; }
  void touch(SteadyTime now);
  [[nodiscard]] SteadyTime lastUsed() const;

  // The SSE stream notifications go to (a newer one replaces the older); detach only if it is `sink`.
  void attachStream(std::shared_ptr<http::StreamSink> sink);
  void detachStream(const http::StreamSink* sink);

  // resources/subscribe: idempotent per URI. Subscribes to the hub (reads the feed's newest seq:
  // call off the I/O threads).
  void subscribeResource(const ResourceUri& resource);
  // resources/unsubscribe: false when not subscribed.
  bool unsubscribeResource(const std::string& uri);
  // subscribe_to_updates without a callback: changes of `resources` (change-feed names) notify the
  // URIs of the resources they change. The same subscription id again replaces the filter.
  void subscribeChanges(const std::string& subscriptionId, std::vector<std::string> resources,
                        std::optional<std::string> repository);
  [[nodiscard]] std::size_t subscriptions() const;

  // `uri` changed (hub thread: never blocks).
  void changed(const std::string& uri);
  // Every URI this session has heard of changed (a reset: hub thread, never blocks).
  void changedAllHeardOf();
  // Sends notifications/resources/updated for the URIs due at `now`, when a stream is attached
  // (which also counts as use: a session whose client holds its stream open does not expire).
  void flush(SteadyTime now);
  // Ends the session: unsubscribes and closes its stream (with `reason`). Idempotent.
  void end(const std::string& reason);

 private:
  struct UriState {
    bool dirty = false;
    SteadyTime lastSent{};
  };
  // `onReset` (may be null): the feed reached a reset point (a rebuild) that records no changes.
  std::uint64_t subscribeHub(live::ChangeFilter filter, std::function<void(const store::Change&)> onChange,
                             std::function<void()> onReset);
  void unsubscribeHub(std::optional<std::uint64_t> id);

  const Identity identity_;
  live::ChangeHub& hub_;
  mutable std::mutex mutex_;
  SteadyTime lastUsed_;
  bool ended_ = false;
  std::shared_ptr<http::StreamSink> sink_;
  std::map<std::string, std::uint64_t> resourceSubscriptions_;  // uri -> hub id
  std::map<std::string, std::uint64_t> changeSubscriptions_;    // subscription id -> hub id
  std::map<std::string, UriState> uris_;
};

}  // namespace forgehook::mcp
