#pragma once
// Function addresses to and from CodeRefs (locate_code_cached is declared with CodeRef), with the answers cached: locating an address asks
// the dynamic loader, which is too slow to do for every one of 100,000 tiny tasks.
#include "pool/pool_wire.hpp"

namespace mproc::detail {

/// The address a CodeRef names in this process. ProcessError if its module is not loaded here.
const void* resolve_code_cached(const CodeRef& ref);

/// What locate_code_cached does, without throwing: false if no loaded module holds `address`.
bool try_locate_code_cached(const void* address, CodeRef& out);

/// What resolve_code_cached does, without throwing: false if the module is not loaded here.
bool try_resolve_code_cached(const CodeRef& ref, const void*& out);

}  // namespace mproc::detail
