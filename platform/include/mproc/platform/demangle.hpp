#pragma once
#include <string>

namespace mproc::platform {

/// A readable name for a `std::type_info::name()` (demangled where the ABI mangles it).
std::string demangle(const char* mangled);

}  // namespace mproc::platform
