#include "mcp/mcp_session.h"

#include "mcp/json_rpc.h"

namespace forgehook::mcp {

McpSession::McpSession(Identity identity, live::ChangeHub& hub, SteadyTime now)
    : identity_(std::move(identity)), hub_(hub), lastUsed_(now) {}

McpSession::~McpSession() { end("session ended"); }

void McpSession::touch(SteadyTime now) {
  std::lock_guard lock(mutex_);
  lastUsed_ = now;
}

SteadyTime McpSession::lastUsed() const {
  std::lock_guard lock(mutex_);
  return lastUsed_;
}

void McpSession::attachStream(std::shared_ptr<http::StreamSink> sink) {
  std::shared_ptr<http::StreamSink> previous;
  {
    std::lock_guard lock(mutex_);
    if (ended_) {
      previous = std::move(sink);
    } else {
      previous = std::exchange(sink_, std::move(sink));
    }
  }
  // Outside the lock: close() may run the stream's onClose, which detaches.
  if (previous) previous->close(http::kCloseNormal, "replaced");
}

void McpSession::detachStream(const http::StreamSink* sink) {
  std::lock_guard lock(mutex_);
  if (sink_.get() == sink) sink_.reset();
}

std::uint64_t McpSession::subscribeHub(live::ChangeFilter filter, std::function<void(const store::Change&)> onChange,
                                       std::function<void()> onReset) {
  return hub_.subscribe(
      std::move(filter), std::nullopt,
      [onChange = std::move(onChange)](const store::Change& change) {
        onChange(change);
        return true;  // coalesced into a bounded map: never a slow consumer
      },
      [onReset = std::move(onReset)](std::int64_t, std::int64_t, std::string_view) {
        if (onReset) onReset();
        return true;
      });
}

void McpSession::unsubscribeHub(std::optional<std::uint64_t> id) {
  if (id) hub_.unsubscribe(*id);
}

void McpSession::subscribeResource(const ResourceUri& resource) {
  const std::string uri = resource.uri();
  {
    std::lock_guard lock(mutex_);
    if (ended_ || resourceSubscriptions_.contains(uri)) return;
  }
  std::weak_ptr<McpSession> self = weak_from_this();
  // A reset (a rebuild) may have changed the resource without a record of it.
  const auto changedUri = [self, uri] {
    if (auto session = self.lock()) session->changed(uri);
  };
  const auto id = subscribeHub(
      resource.changeFilter(), [changedUri](const store::Change&) { changedUri(); }, changedUri);
  std::optional<std::uint64_t> redundant;
  {
    std::lock_guard lock(mutex_);
    if (ended_ || !resourceSubscriptions_.emplace(uri, id).second) redundant = id;  // raced: keep one
  }
  unsubscribeHub(redundant);  // never under our lock: the hub may be calling changed() meanwhile
}

bool McpSession::unsubscribeResource(const std::string& uri) {
  std::optional<std::uint64_t> id;
  {
    std::lock_guard lock(mutex_);
    auto it = resourceSubscriptions_.find(uri);
    if (it == resourceSubscriptions_.end()) return false;
    id = it->second;
    resourceSubscriptions_.erase(it);
  }
  unsubscribeHub(id);
  return true;
}

void McpSession::subscribeChanges(const std::string& subscriptionId, std::vector<std::string> resources,
                                  std::optional<std::string> repository) {
  // On a reset (a rebuild) no change names the resources: each subscribed resource that names one
  // (a global one, or a repository's when the subscription has a repository) is marked, and so is
  // every resource the session has heard of.
  std::vector<std::string> named;
  for (const auto& name : resources) {
    store::Change probe;
    probe.resource = name;
    if (repository) probe.repository = *repository;
    if (auto resource = resourceOfChange(probe)) named.push_back(resource->uri());
  }
  live::ChangeFilter filter;
  filter.resources = std::move(resources);
  filter.repository = std::move(repository);
  std::weak_ptr<McpSession> self = weak_from_this();
  const auto id = subscribeHub(
      std::move(filter),
      [self](const store::Change& change) {
        auto session = self.lock();
        if (!session) return;
        if (auto resource = resourceOfChange(change)) session->changed(resource->uri());
      },
      [self, named] {
        auto session = self.lock();
        if (!session) return;
        for (const auto& uri : named) session->changed(uri);
        session->changedAllHeardOf();
      });
  std::optional<std::uint64_t> replaced;
  {
    std::lock_guard lock(mutex_);
    if (ended_) {
      replaced = id;
    } else if (auto [it, inserted] = changeSubscriptions_.emplace(subscriptionId, id); !inserted) {
      replaced = std::exchange(it->second, id);
    }
  }
  unsubscribeHub(replaced);
}

std::size_t McpSession::subscriptions() const {
  std::lock_guard lock(mutex_);
  return resourceSubscriptions_.size() + changeSubscriptions_.size();
}

void McpSession::changed(const std::string& uri) {
  std::lock_guard lock(mutex_);
  if (!ended_) uris_[uri].dirty = true;
}

void McpSession::changedAllHeardOf() {
  std::lock_guard lock(mutex_);
  if (ended_) return;
  for (auto& [uri, state] : uris_) state.dirty = true;
}

void McpSession::flush(SteadyTime now) {
  std::vector<std::string> due;
  std::shared_ptr<http::StreamSink> sink;
  {
    std::lock_guard lock(mutex_);
    if (!sink_ || ended_) return;  // kept dirty until a stream is there to hear it
    lastUsed_ = now;               // a client holding its stream open is not idle
    sink = sink_;
    for (auto& [uri, state] : uris_) {
      if (!state.dirty || now - state.lastSent < kNotifyGap) continue;
      state.dirty = false;
      state.lastSent = now;
      due.push_back(uri);
    }
  }
  for (const auto& uri : due)
    sink->send("event: message\ndata: " + notificationText("notifications/resources/updated", {{"uri", uri}}) + "\n\n");
}

void McpSession::end(const std::string& reason) {
  std::vector<std::uint64_t> ids;
  std::shared_ptr<http::StreamSink> sink;
  {
    std::lock_guard lock(mutex_);
    if (ended_) return;
    ended_ = true;
    for (const auto& [uri, id] : resourceSubscriptions_) ids.push_back(id);
    for (const auto& [name, id] : changeSubscriptions_) ids.push_back(id);
    resourceSubscriptions_.clear();
    changeSubscriptions_.clear();
    sink = std::move(sink_);
  }
  for (auto id : ids) hub_.unsubscribe(id);
  if (sink) sink->close(http::kCloseNormal, reason);
}

}  // namespace forgehook::mcp
