#pragma once
// Reading a forge's JSON answers into forge_client.h's types, shared by the REST clients: the body
// checked for the expected shape, objects mapped, Link-header pages followed. Internal to fh_forge:
// only .cc files include it, so nlohmann::json stays out of the public headers. Thread-safe: immutable.
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "forge/forge_http.h"
#include "forge/link_header.h"

namespace forgehook::forge {

// Following `next` links stops here: 100 pages of 100 hooks is far past GitHub's 20-per-event cap.
inline constexpr int kMaxPages = 100;

class JsonAnswers {
 public:
  using json = nlohmann::json;
  template <class T>
  using Reader = T (*)(const json&);

  // `forgeTitle` names the forge in errors ("GitHub"). Requires: it outlives this (a literal).
  explicit constexpr JsonAnswers(std::string_view forgeTitle) : forgeTitle_(forgeTitle) {}

  // The answer's body when it is a JSON object (array). Errors: Unavailable "forge_unavailable"
  // when it is not.
  [[nodiscard]] core::Result<json> object(const HttpResponse& answer) const;
  [[nodiscard]] core::Result<json> array(const HttpResponse& answer) const;

  // The answer's object mapped by `read`. Errors: the call's, or object()'s.
  template <class T>
  [[nodiscard]] core::Result<T> readObject(const core::Result<HttpResponse>& answer, Reader<T> read) const {
    if (!answer) return std::unexpected(answer.error());
    auto item = object(*answer);
    if (!item) return std::unexpected(item.error());
    return read(*item);
  }

  // The objects of the answer's array, each mapped by `read` (other items skipped). Errors: array()'s.
  template <class T>
  [[nodiscard]] core::Result<std::vector<T>> readArray(const HttpResponse& answer, Reader<T> read) const {
    auto items = array(answer);
    if (!items) return std::unexpected(items.error());
    std::vector<T> mapped;
    appendObjects(*items, read, mapped);
    return mapped;
  }

  // The objects of `firstPage` and of the pages it links on to (Link rel="next"), kMaxPages pages at
  // most; `fetchNext(url)` gets a linked page. With `emptyPageEnds`, an empty page ends the list even
  // when it links on. Errors: the first failed call's, or array()'s.
  template <class T, class Fetch>
  [[nodiscard]] core::Result<std::vector<T>> readLinkedPages(core::Result<HttpResponse> firstPage, Fetch&& fetchNext,
                                                             Reader<T> read, bool emptyPageEnds = false) const {
    std::vector<T> mapped;
    core::Result<HttpResponse> answer = std::move(firstPage);
    for (int page = 1;; ++page) {
      if (!answer) return std::unexpected(answer.error());
      auto items = array(*answer);
      if (!items) return std::unexpected(items.error());
      appendObjects(*items, read, mapped);
      const auto next = nextLink(answer->header("link").value_or(""));
      if (!next || (emptyPageEnds && items->empty()) || page == kMaxPages) return mapped;
      answer = fetchNext(*next);
    }
  }

 private:
  template <class T>
  static void appendObjects(const json& items, Reader<T> read, std::vector<T>& into) {
    for (const auto& item : items)
      if (item.is_object()) into.push_back(read(item));
  }

  [[nodiscard]] core::Result<json> parsed(const HttpResponse& answer, bool (json::*shape)() const noexcept) const;

  std::string_view forgeTitle_;
};

}  // namespace forgehook::forge
