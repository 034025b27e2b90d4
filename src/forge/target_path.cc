#include "forge/target_path.h"

#include "forge/link_header.h"

namespace forgehook::forge {

core::Result<std::string> encodedSegments(const HookTarget& target, int segments) {
  std::string out;
  int count = 0;
  std::size_t start = 0;
  const auto invalid = [&target, segments] {
    std::string message = "\"";
    message.append(target.path).append("\" is not ");
    message.append(segments == 1 ? "an organisation name" : "an owner/name repository path");
    return std::unexpected(core::Error::invalidArgument("invalid_target", message));
  };
  while (true) {
    const auto slash = target.path.find('/', start);
    const std::string segment = target.path.substr(start, slash == std::string::npos ? slash : slash - start);
    if (segment.empty() || segment == "." || segment == "..") return invalid();
    if (!out.empty()) out.push_back('/');
    out.append(percentEncode(segment));
    ++count;
    if (slash == std::string::npos) break;
    start = slash + 1;
  }
  if (count != segments) return invalid();
  return out;
}

}  // namespace forgehook::forge
