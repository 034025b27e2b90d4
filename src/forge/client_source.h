#pragma once
// Where the hook manager, the reconciler and the poller get the client of a forge: built from the
// credential stored for that forge (see credential_clients.h), or a scripted one in tests.
// Implementations are thread-safe.
#include <memory>
#include <string>

#include "core/error.h"
#include "forge/forge_client.h"

namespace forgehook::forge {

class ClientSource {
 public:
  virtual ~ClientSource() = default;
  // The client for "github", "gitlab" or "gitea". Errors: NotFound "no_credential" when no
  // credential is stored for that forge (the message says how to add one); InvalidArgument for a
  // stored credential that cannot be used.
  [[nodiscard]] virtual core::Result<std::shared_ptr<ForgeClient>> clientFor(const std::string& forge) = 0;
};

}  // namespace forgehook::forge
