#include "core/thread_name.h"

#include <pthread.h>

namespace forgehook::core {

void nameThisThread(const std::string& name) {
  // The kernel keeps 16 bytes with the terminator; a longer name makes the call fail, so cut it.
  pthread_setname_np(pthread_self(), name.substr(0, 15).c_str());
}

}  // namespace forgehook::core
