#include "mproc/platform/command_line.hpp"

#include <windows.h>
#include <shellapi.h>

#include "utf.hpp"

namespace mproc::platform {

std::vector<std::string> command_line() {
  int count = 0;
  wchar_t** argv = ::CommandLineToArgvW(::GetCommandLineW(), &count);
  std::vector<std::string> args;
  if (argv == nullptr) return args;
  for (int i = 0; i < count; ++i) args.push_back(to_utf8(argv[i]));
  ::LocalFree(argv);
  return args;
}

}  // namespace mproc::platform
