#include "pool/code_cache.hpp"

#include <map>
#include <mutex>
#include <unordered_map>
#include <utility>

#include "mproc/errors.hpp"
#include "mproc/platform/module_address.hpp"

namespace mproc::detail {

CodeRef locate_code_cached(const void* address) {
  if (address == nullptr) return {};
  static std::mutex mutex;
  static std::unordered_map<const void*, CodeRef> cache;
  std::lock_guard lock(mutex);
  if (auto it = cache.find(address); it != cache.end()) return it->second;
  platform::module_address where;
  if (platform::locate_code(address, where))
    throw ProcessError("cannot locate a pool task's function in a loaded module");
  CodeRef ref{where.module, where.offset, false};
  cache.emplace(address, ref);
  return ref;
}

const void* resolve_code_cached(const CodeRef& ref) {
  if (ref.null) return nullptr;
  static std::mutex mutex;
  static std::map<std::pair<std::string, std::uint64_t>, const void*> cache;
  std::lock_guard lock(mutex);
  auto key = std::make_pair(ref.module, ref.offset);
  if (auto it = cache.find(key); it != cache.end()) return it->second;
  const void* address = nullptr;
  if (platform::resolve_code({ref.module, ref.offset}, address))
    throw ProcessError("cannot find a pool task's function in module '" + ref.module +
                       "' of the worker: pool and worker do not run the same binary");
  cache.emplace(key, address);
  return address;
}

}  // namespace mproc::detail
