// mproc::function on the wire: its place in its module, as pool tasks and spawned targets
// travel (code_cache.hpp), plus a check that a receiver verifies before the address can ever be
// called. A pool's own pipe is private to the pool; a function handle comes from any Queue,
// Pipe or Listener connection, so it is checked harder than a pool task's target.
#include <cstdint>
#include <sstream>
#include <string>
#include <string_view>

#include "mproc/detail/type_name.hpp"
#include "mproc/errors.hpp"
#include "mproc/function.hpp"
#include "mproc/platform/module_address.hpp"
#include "pool/code_cache.hpp"

namespace mproc::detail {
namespace {

// FNV-1a, 64 bits: cheap enough for every item of a busy queue. It guards against corruption and
// mix-ups (another type, another program), not against a forger, as the rest of the wire does.
std::uint64_t fnv1a(std::uint64_t hash, std::string_view bytes) {
  for (unsigned char c : bytes) {
    hash ^= c;
    hash *= 0x100000001b3ULL;
  }
  return hash;
}

// Which program this is: a function's offset means something only in the same executable.
// Leaked on purpose, as `type_tag` is: no destructor registered under glibc's atexit lock.
const std::string& program_key() {
  static const std::string& key = *new std::string(platform::executable_fingerprint());
  return key;
}

std::uint64_t check_of(const std::string& module, std::uint64_t offset,
                       const std::type_info& signature) {
  std::uint64_t hash = 0xcbf29ce484222325ULL;
  hash = fnv1a(hash, program_key());
  hash = fnv1a(hash, std::string_view(module.data(), module.size() + 1));  // with its NUL
  hash = fnv1a(hash, std::string_view(reinterpret_cast<const char*>(&offset), sizeof offset));
  return fnv1a(hash, signature.name());
}

std::string refused(const std::type_info& signature, const std::string& why) {
  return "cannot receive a mproc::function<" + type_name(signature) + ">: " + why;
}

}  // namespace

FunctionRef function_to_wire(const void* address, const std::type_info& signature) {
  CodeRef ref;
  if (!try_locate_code_cached(address, ref))
    throw SerializationError(
        "cannot send a mproc::function<" + type_name(signature) +
        ">: its address lies in no loaded module (code made at run time cannot travel); use a "
        "function compiled into the program or into one of its shared libraries");
  return {ref.module, ref.offset, check_of(ref.module, ref.offset, signature)};
}

const void* function_from_wire(const FunctionRef& wire, const std::type_info& signature) {
  if (wire.check != check_of(wire.module, wire.offset, signature))
    throw SerializationError(refused(
        signature,
        "its check does not match (the data is corrupted, the sender sent a function of another "
        "type, or it runs another program); send it as the same mproc::function type from a "
        "process of this program"));
  const void* address = nullptr;
  if (!try_resolve_code_cached(CodeRef{wire.module, wire.offset, false}, address))
    throw SerializationError(refused(
        signature, "its shared library '" + wire.module +
                       "' is not loaded in this process; load it here (link it, or dlopen the "
                       "same path) before receiving functions from it"));
  // The offset must land inside the module it names, not past its end in some other mapping.
  CodeRef back;
  if (!try_locate_code_cached(address, back) || back.module != wire.module ||
      back.offset != wire.offset)
    throw SerializationError(refused(
        signature, "its offset " + std::to_string(wire.offset) + " lies outside its module (the "
                   "data is corrupted)"));
  return address;
}

void throw_empty_function_call(const std::type_info& signature) {
  throw ValueError("called an empty mproc::function<" + type_name(signature) +
                   "> (default-constructed, or received empty); give it a function first");
}

std::string function_repr(std::string_view name, const void* address) {
  if (address == nullptr) return "<function empty>";
  std::ostringstream out;  // the address in hex with 0x on every platform (`%p` is not)
  out << "<function " << (name.empty() ? std::string_view("<unnamed>") : name) << " at 0x"
      << std::hex << reinterpret_cast<std::uintptr_t>(address) << '>';
  return out.str();
}

}  // namespace mproc::detail
