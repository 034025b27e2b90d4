#pragma once
// Reading a whole change feed back in tests, and the property every read must keep: seqs that follow
// each other with no gap and no repeat.
#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "store/change_feed.h"

namespace forgehook::testing {

// Every change after `after`, page by page (1000 a page), oldest first.
inline std::vector<store::Change> changesAfter(store::ChangeFeed& feed, std::int64_t after = 0) {
  std::vector<store::Change> out;
  for (;;) {
    store::ChangeQuery q;
    q.after = after;
    q.limit = 1000;
    auto page = feed.read(q);
    if (!page) {
      ADD_FAILURE() << "read after " << after << ": " << page.error().message;
      return out;
    }
    if (page->changes.empty()) return out;
    after = page->changes.back().seq;
    out.insert(out.end(), page->changes.begin(), page->changes.end());
  }
}

// "resource action" of each change, in feed order.
inline std::vector<std::string> kinds(const std::vector<store::Change>& changes) {
  std::vector<std::string> out;
  for (const auto& c : changes) out.push_back(c.resource + " " + c.action);
  return out;
}

// Seqs first, first + 1, ...: nothing skipped, nothing twice.
inline void expectConsecutive(const std::vector<store::Change>& changes, std::int64_t first) {
  for (std::size_t i = 0; i < changes.size(); ++i)
    EXPECT_EQ(changes[i].seq, first + static_cast<std::int64_t>(i)) << "at index " << i;
}

}  // namespace forgehook::testing
