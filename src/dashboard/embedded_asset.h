#pragma once
// The dashboard's files as compiled into the binary: web/build.mjs bundles web/ with esbuild and
// writes them into a generated .cc (dashboard_assets.cc, in the build directory), so the server
// reads nothing from disk at run time and needs no network. Immutable after start: thread-safe.
#include <span>
#include <string_view>

namespace forgehook::dashboard {

struct EmbeddedAsset {
  std::string_view path;         // URL path: "/" for the page, "/assets/<name>-<hash>.<ext>"
  std::string_view contentType;  // with charset for text
  std::string_view body;
  bool immutable = false;  // a content-hashed name: its bytes never change
};

// Every embedded file (generated at build time).
[[nodiscard]] std::span<const EmbeddedAsset> embeddedAssets();

}  // namespace forgehook::dashboard
