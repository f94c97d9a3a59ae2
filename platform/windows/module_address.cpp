#include "mproc/platform/module_address.hpp"

#include <windows.h>

#include <vector>

#include "utf.hpp"

namespace mproc::platform {
namespace {

std::wstring module_path(HMODULE module) {
  std::vector<wchar_t> buf(32768);
  DWORD n = ::GetModuleFileNameW(module, buf.data(), static_cast<DWORD>(buf.size()));
  return std::wstring(buf.data(), n);
}

}  // namespace

std::error_code locate_code(const void* address, module_address& out) noexcept {
  HMODULE module = nullptr;
  if (!::GetModuleHandleExW(GET_MODULE_HANDLE_EX_FLAG_FROM_ADDRESS |
                                GET_MODULE_HANDLE_EX_FLAG_UNCHANGED_REFCOUNT,
                            static_cast<LPCWSTR>(address), &module))
    return std::make_error_code(std::errc::bad_address);
  out.offset = reinterpret_cast<std::uintptr_t>(address) - reinterpret_cast<std::uintptr_t>(module);
  out.module = module == ::GetModuleHandleW(nullptr) ? std::string() : to_utf8(module_path(module));
  return {};
}

std::error_code resolve_code(const module_address& where, const void*& out) noexcept {
  HMODULE module = where.module.empty() ? ::GetModuleHandleW(nullptr)
                                        : ::GetModuleHandleW(to_wide(where.module).c_str());
  if (module == nullptr) return std::make_error_code(std::errc::no_such_file_or_directory);
  out = reinterpret_cast<const char*>(module) + where.offset;
  return {};
}

std::string executable_fingerprint() {
  std::wstring path = module_path(nullptr);
  WIN32_FILE_ATTRIBUTE_DATA data{};
  if (!::GetFileAttributesExW(path.c_str(), GetFileExInfoStandard, &data)) return {};
  return to_utf8(path) + ":" + std::to_string(data.nFileSizeLow) + ":" +
         std::to_string(data.ftLastWriteTime.dwLowDateTime) + "." +
         std::to_string(data.ftLastWriteTime.dwHighDateTime);
}

}  // namespace mproc::platform
