#pragma once
// Request headers as the JSON object forgehook stores, with every credential value (signatures,
// tokens, cookies, authorization) replaced by "[redacted]". Thread-safe.
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace forgehook::ingest {

[[nodiscard]] bool isCredentialHeader(std::string_view name);

[[nodiscard]] std::string sanitizedHeadersJson(const std::vector<std::pair<std::string, std::string>>& headers);

}  // namespace forgehook::ingest
