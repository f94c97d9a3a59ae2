#include "mproc/platform/command_line.hpp"

#include <fstream>
#include <iterator>

namespace mproc::platform {

// The kernel's copy of argv: NUL-separated, each argument ended by a NUL. (Other POSIX
// systems have no such file; there the list is empty and callers fall back to argv.)
std::vector<std::string> command_line() {
  std::ifstream in("/proc/self/cmdline", std::ios::binary);
  std::string all((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::vector<std::string> args;
  std::size_t start = 0;
  while (start < all.size()) {
    std::size_t end = all.find('\0', start);
    if (end == std::string::npos) end = all.size();
    args.push_back(all.substr(start, end - start));
    start = end + 1;
  }
  return args;
}

}  // namespace mproc::platform
