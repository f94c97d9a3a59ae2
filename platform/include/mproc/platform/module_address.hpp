#pragma once
// Code addresses that survive re-execution: a function is named by (module, offset from the
// module's base), which is the same in a re-executed copy of the same binary whatever ASLR did.
#include <cstdint>
#include <string>
#include <system_error>

namespace mproc::platform {

struct module_address {
  std::string module;        ///< empty for the main executable, else the shared library's path
  std::uint64_t offset = 0;  ///< address minus the module's load base
};

/// Finds the module holding `address` and the offset within it.
std::error_code locate_code(const void* address, module_address& out) noexcept;

/// Turns a located address back into a pointer in this process; fails if the module is not
/// loaded here.
std::error_code resolve_code(const module_address& where, const void*& out) noexcept;

/// A fingerprint of the running executable file (size and modification time), to check that a
/// re-executed child runs the same binary as its parent.
std::string executable_fingerprint();

}  // namespace mproc::platform
