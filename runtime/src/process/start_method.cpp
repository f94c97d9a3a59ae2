#include "mproc/start_method.hpp"

#include <atomic>

#include "mproc/errors.hpp"
#include "mproc/platform/fork.hpp"
#include "mproc/platform/forkserver.hpp"

namespace mproc {
namespace {

// 0 while unset; otherwise an index into `methods`. Atomic, not mutex-guarded, so that a forked
// child can read it whatever the parent's other threads were doing.
std::atomic<int> chosen{0};
const char* const methods[] = {"", "fork", "spawn", "forkserver"};

bool available(int index) {
  switch (index) {
    case 1: return platform::fork_supported();
    case 2: return true;
    case 3: return platform::forkserver_supported();
    default: return false;
  }
}

int index_of(std::string_view method) {
  for (int i = 1; i < 4; ++i) {
    if (method == methods[i]) {
      if (!available(i))
        throw ValueError("cannot find context for '" + std::string(method) +
                         "': it is not available on this platform; use 'spawn'");
      return i;
    }
  }
  throw ValueError("cannot find context for '" + std::string(method) +
                   "': the start methods are 'fork', 'spawn' and 'forkserver'");
}

// Python's defaults: fork where it exists (Linux), spawn elsewhere (Windows).
int platform_default() { return platform::fork_supported() ? 1 : 2; }

}  // namespace

void set_start_method(std::string_view method, bool force) {
  int index = index_of(method);
  int unset = 0;
  if (force) {
    chosen.store(index);
  } else if (!chosen.compare_exchange_strong(unset, index)) {
    throw ProcessError("context has already been set: call set_start_method once, before "
                       "starting processes, or pass force = true");
  }
}

std::string get_start_method(bool allow_none) {
  int index = chosen.load();
  if (index == 0) {
    if (allow_none) return {};
    int unset = 0;
    chosen.compare_exchange_strong(unset, platform_default());
    index = chosen.load();
  }
  return methods[index];
}

std::vector<std::string> get_all_start_methods() {
  std::vector<std::string> all{methods[platform_default()]};
  for (int i = 1; i < 4; ++i) {
    if (i != platform_default() && available(i)) all.emplace_back(methods[i]);
  }
  return all;
}

namespace detail {
std::string checked_start_method(std::string_view method) { return methods[index_of(method)]; }
}  // namespace detail

}  // namespace mproc
