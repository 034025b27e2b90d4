#pragma once
// The fixture of the per-forge client tests: a ForgeClient made by makeForgeClient, as the rest of
// forgehook makes it, over a scripted transport (`http`), a fake clock and a sleeper that records
// waits instead of sleeping.
#include <gtest/gtest.h>

#include <memory>

#include "forge/client_factory.h"
#include "forge/fake_forge_http.h"
#include "support/fake_clock.h"

namespace forgehook::forge {

class ScriptedClientTest : public ::testing::Test {
 protected:
  // Makes `client` for `credential`; call it from SetUp().
  void makeClient(const ForgeCredential& credential) {
    ClientOptions options;
    options.sleeper = sleeps.sleeper();
    client = makeForgeClient(credential, http, clock, options);
  }

  testing::FakeClock clock;
  RecordingSleeper sleeps{clock};
  std::shared_ptr<FakeForgeHttp> http = std::make_shared<FakeForgeHttp>();
  std::unique_ptr<ForgeClient> client;
};

}  // namespace forgehook::forge
