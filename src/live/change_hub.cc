#include "live/change_hub.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "core/thread_name.h"

namespace forgehook::live {
namespace {

bool contains(const std::vector<std::string>& list, const std::string& value) {
  return list.empty() || std::find(list.begin(), list.end(), value) != list.end();
}

bool equalsIgnoreCase(const std::string& a, const std::string& b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
    return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
  });
}

}  // namespace

bool ChangeFilter::matches(const store::Change& c, std::string_view kind) const {
  if (!contains(resources, c.resource) || !contains(actions, c.action)) return false;
  if (forge && *forge != c.forge) return false;
  if (repository && !equalsIgnoreCase(*repository, c.repository)) return false;
  if (!kinds.empty()) {
    if (c.resource != "activity" || kind.empty()) return false;
    if (std::find(kinds.begin(), kinds.end(), kind) == kinds.end()) return false;
  }
  return true;
}

std::string activityKind(const store::Change& c) {
  if (c.resource != "activity") return {};
  const auto data = nlohmann::json::parse(c.dataJson, nullptr, false);
  if (!data.is_object() || !data.contains("kind") || !data["kind"].is_string()) return {};
  return data["kind"].get<std::string>();
}

namespace {

// A change's activity kind, parsed the first time a subscriber with `kinds` asks for it.
class LazyKind {
 public:
  explicit LazyKind(const store::Change& change) : change_(change) {}
  std::string_view for_(const ChangeFilter& filter) {
    if (filter.kinds.empty()) return {};
    if (!kind_) kind_ = activityKind(change_);
    return *kind_;
  }

 private:
  const store::Change& change_;
  std::optional<std::string> kind_;
};

}  // namespace

ChangeHub::ChangeHub(store::ChangeFeed& feed, const core::Logger& logger, Options options)
    : feed_(feed), logger_(logger), options_(options) {}

ChangeHub::~ChangeHub() { stop(); }

void ChangeHub::start() {
  if (auto newest = feed_.newestSeq()) position_ = *newest;
  thread_ = std::thread([this] {
    core::nameThisThread("fh-hub");
    run();
  });
}

void ChangeHub::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  if (thread_.joinable()) thread_.join();
}

void ChangeHub::notify() {
  {
    std::lock_guard lock(mutex_);
    notified_ = true;
  }
  wake_.notify_one();
}

std::uint64_t ChangeHub::subscribe(ChangeFilter filter, std::optional<std::int64_t> after, Deliver deliver,
                                   Reset reset) {
  std::uint64_t id;
  // "From now" is the newest seq now: a change that commits after this call is past that point,
  // so the catch-up or the tail hands it over, whenever the hub gets to the newcomer.
  if (!after) {
    auto newest = feed_.newestSeq();
    after = newest ? *newest : position_.load();
  }
  {
    std::lock_guard lock(mutex_);
    id = nextId_++;
    joining_.emplace(id, Subscriber{std::move(filter), after, std::move(deliver), std::move(reset)});
  }
  wake_.notify_one();
  return id;
}

void ChangeHub::unsubscribe(std::uint64_t id) {
  {
    std::lock_guard lock(mutex_);
    if (joining_.erase(id) == 0) leaving_.push_back(id);
  }
  wake_.notify_one();
}

std::size_t ChangeHub::subscribers() const {
  std::lock_guard lock(mutex_);
  return activeCount_ + joining_.size();
}

std::int64_t ChangeHub::position() const { return position_.load(); }

void ChangeHub::run() {
  for (;;) {
    std::map<std::uint64_t, Subscriber> joined;
    {
      std::unique_lock lock(mutex_);
      wake_.wait_for(lock, options_.pollInterval,
                     [&] { return stopping_ || notified_ || !joining_.empty() || !leaving_.empty(); });
      if (stopping_) break;
      notified_ = false;
      joined.swap(joining_);
      for (const auto id : leaving_) active_.erase(id);
      leaving_.clear();
    }
    // The tail first, then the newcomers are caught up to where it ended, and join it. Nobody
    // following the tail: skip to the newest seq instead of reading records nobody wants (the
    // feed is written on every commit, and reading it costs intake a share of the CPU).
    if (!active_.empty()) {
      followTail();
    } else if (!joined.empty()) {
      if (auto newest = feed_.newestSeq()) position_ = std::max(position_.load(), *newest);
    }
    for (auto& [id, s] : joined) {
      catchUp(s, position_);
      if (s.deliver) active_.emplace(id, std::move(s));
    }
    std::lock_guard lock(mutex_);
    activeCount_ = active_.size();
  }
  std::lock_guard lock(mutex_);
  active_.clear();
  activeCount_ = 0;
}

void ChangeHub::followTail() {
  for (;;) {
    store::ChangeQuery q;
    q.after = position_;
    q.limit = options_.pageSize;
    auto page = feed_.read(q);
    if (!page) {
      logger_.error("change hub cannot read the change feed", {{"error", page.error().message}});
      return;
    }
    for (const auto& change : page->changes) {
      LazyKind kind(change);
      for (auto it = active_.begin(); it != active_.end();) {
        auto& s = it->second;
        // A subscriber may have resumed from ahead of the hub (it read the feed itself).
        const bool wanted = change.seq > s.after.value_or(0) && s.filter.matches(change, kind.for_(s.filter));
        if (wanted && !s.deliver(change)) {
          it = active_.erase(it);  // its stream is closed or could not keep up
          continue;
        }
        ++it;
      }
      position_ = change.seq;
    }
    if (page->resetAt) {
      // A rebuild's reset point: every subscriber refetches, then follows the records after it.
      for (auto it = active_.begin(); it != active_.end();) {
        auto& s = it->second;
        if (s.after.value_or(0) < page->resetAt && !s.reset(page->oldestSeq, page->resetAt, page->resetReason)) {
          it = active_.erase(it);
          continue;
        }
        ++it;
      }
      position_ = page->resetAt;
      continue;
    }
    if (static_cast<int>(page->changes.size()) < q.limit) {
      // Past every change: skip to the newest, so a feed read again starts after what was read.
      position_ = std::max(position_.load(), page->newestSeq);
      return;
    }
  }
}

void ChangeHub::catchUp(Subscriber& s, std::int64_t until) {
  if (!s.after || *s.after == until) return;  // exactly where the hub is: the tail follows
  store::ChangeQuery q;
  q.after = *s.after;
  q.resources = s.filter.resources;
  q.repository = s.filter.repository;
  q.forge = s.filter.forge;
  q.limit = options_.pageSize;
  for (;;) {
    auto page = feed_.read(q);
    if (!page) {
      logger_.error("change hub cannot catch a subscriber up", {{"error", page.error().message}});
      s.deliver = nullptr;  // dropped: its stream ends and the client resumes again
      return;
    }
    if (page->reset && !page->resetAt) {
      // Pruned, or from another database: the client refetches, then follows from the hub's point.
      if (!s.reset(page->oldestSeq, until, "pruned")) s.deliver = nullptr;
      s.after = until;
      return;
    }
    for (const auto& change : page->changes) {
      if (change.seq > until) return;  // the tail delivers the rest (s.after marks what it has)
      if (s.filter.matches(change, LazyKind(change).for_(s.filter)) && !s.deliver(change)) {
        s.deliver = nullptr;
        return;
      }
      q.after = change.seq;
      s.after = change.seq;
    }
    if (page->resetAt) {
      // A rebuild's reset point, in its place as the tail gives it: refetch, then what follows it.
      if (page->resetAt > until) return;  // the tail resets it
      if (!s.reset(page->oldestSeq, page->resetAt, page->resetReason)) {
        s.deliver = nullptr;
        return;
      }
      q.after = page->resetAt;
      s.after = page->resetAt;
      continue;
    }
    if (static_cast<int>(page->changes.size()) < q.limit) return;
  }
}

}  // namespace forgehook::live
