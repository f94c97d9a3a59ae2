#include "mproc/platform/module_address.hpp"

#include <dlfcn.h>
#include <link.h>
#include <sys/stat.h>
#include <uv.h>

#include <cstring>

namespace mproc::platform {
namespace {

struct search {
  const char* name = nullptr;  // nullptr: the main executable (the first object listed)
  std::uintptr_t base = 0;
  bool found = false;
};

// The lowest address a loaded object maps, which is what `dladdr` reports as `dli_fbase`.
std::uintptr_t lowest_mapping(const dl_phdr_info* info) {
  std::uintptr_t lowest = UINTPTR_MAX;
  for (int i = 0; i < info->dlpi_phnum; ++i) {
    const auto& ph = info->dlpi_phdr[i];
    if (ph.p_type == PT_LOAD && ph.p_vaddr < lowest) lowest = ph.p_vaddr;
  }
  return info->dlpi_addr + (lowest == UINTPTR_MAX ? 0 : lowest);
}

int visit(dl_phdr_info* info, size_t, void* data) {
  auto* s = static_cast<search*>(data);
  if (s->name == nullptr || std::strcmp(info->dlpi_name, s->name) == 0) {
    s->base = lowest_mapping(info);
    s->found = true;
    return 1;
  }
  return 0;
}

std::uintptr_t main_executable_base() {
  search s;
  dl_iterate_phdr(visit, &s);
  return s.base;
}

}  // namespace

std::error_code locate_code(const void* address, module_address& out) noexcept {
  Dl_info info{};
  if (::dladdr(address, &info) == 0 || info.dli_fbase == nullptr)
    return std::make_error_code(std::errc::bad_address);
  auto base = reinterpret_cast<std::uintptr_t>(info.dli_fbase);
  out.offset = reinterpret_cast<std::uintptr_t>(address) - base;
  out.module = base == main_executable_base() ? std::string() : std::string(info.dli_fname);
  return {};
}

std::error_code resolve_code(const module_address& where, const void*& out) noexcept {
  search s;
  if (!where.module.empty()) s.name = where.module.c_str();
  dl_iterate_phdr(visit, &s);
  if (!s.found) return std::make_error_code(std::errc::no_such_file_or_directory);
  out = reinterpret_cast<const void*>(s.base + where.offset);
  return {};
}

std::string executable_fingerprint() {
  char path[4096];
  size_t size = sizeof path;
  if (uv_exepath(path, &size) != 0) return {};
  struct stat st {};
  if (::stat(path, &st) != 0) return {};
  return std::string(path) + ":" + std::to_string(st.st_size) + ":" +
         std::to_string(st.st_mtim.tv_sec) + "." + std::to_string(st.st_mtim.tv_nsec);
}

}  // namespace mproc::platform
