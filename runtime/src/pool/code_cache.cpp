#include "pool/code_cache.hpp"

#include <map>
#include <mutex>
#include <unordered_map>
#include <utility>

#include "mproc/errors.hpp"
#include "mproc/platform/module_address.hpp"

namespace mproc::detail {

bool try_locate_code_cached(const void* address, CodeRef& out) {
  if (address == nullptr) {
    out = {};
    return true;
  }
  static std::mutex mutex;
  static std::unordered_map<const void*, CodeRef> cache;
  std::lock_guard lock(mutex);
  if (auto it = cache.find(address); it != cache.end()) {
    out = it->second;
    return true;
  }
  platform::module_address where;
  if (platform::locate_code(address, where)) return false;
  out = CodeRef{where.module, where.offset, false};
  cache.emplace(address, out);
  return true;
}

bool try_resolve_code_cached(const CodeRef& ref, const void*& out) {
  if (ref.null) {
    out = nullptr;
    return true;
  }
  static std::mutex mutex;
  static std::map<std::pair<std::string, std::uint64_t>, const void*> cache;
  std::lock_guard lock(mutex);
  auto key = std::make_pair(ref.module, ref.offset);
  if (auto it = cache.find(key); it != cache.end()) {
    out = it->second;
    return true;
  }
  if (platform::resolve_code({ref.module, ref.offset}, out)) return false;
  cache.emplace(key, out);
  return true;
}

CodeRef locate_code_cached(const void* address) {
  CodeRef ref;
  if (!try_locate_code_cached(address, ref))
    throw ProcessError("cannot locate a pool task's function in a loaded module");
  return ref;
}

const void* resolve_code_cached(const CodeRef& ref) {
  const void* address = nullptr;
  if (!try_resolve_code_cached(ref, address))
    throw ProcessError("cannot find a pool task's function in module '" + ref.module +
                       "' of the worker: pool and worker do not run the same binary");
  return address;
}

}  // namespace mproc::detail
