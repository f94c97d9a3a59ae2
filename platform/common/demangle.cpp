#include "mproc/platform/demangle.hpp"

#include <cstdlib>
#include <memory>

#if __has_include(<cxxabi.h>)
  #include <cxxabi.h>
  #define MPROC_HAVE_CXXABI 1
#endif

namespace mproc::platform {

std::string demangle(const char* mangled) {
#ifdef MPROC_HAVE_CXXABI
  int status = 0;
  std::unique_ptr<char, void (*)(void*)> name(abi::__cxa_demangle(mangled, nullptr, nullptr, &status),
                                               std::free);
  if (status == 0 && name) return name.get();
#endif
  return mangled;  // MSVC's names are readable already.
}

}  // namespace mproc::platform
