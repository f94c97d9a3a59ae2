#include "mproc/platform/named_memory.hpp"

#include <windows.h>

#include "mproc/platform/error.hpp"
#include "mproc/platform/process_control.hpp"
#include "utf.hpp"

namespace mproc::platform {

bool named_regions_persist() noexcept { return false; }

std::error_code create_named_region(const std::string& name, std::size_t size, mapped_region& out) noexcept {
  if (name.empty() || name.size() > 200) return std::make_error_code(std::errc::invalid_argument);
  auto size64 = static_cast<std::uint64_t>(size);
  HANDLE mapping = ::CreateFileMappingW(INVALID_HANDLE_VALUE, nullptr, PAGE_READWRITE,
                                        static_cast<DWORD>(size64 >> 32),
                                        static_cast<DWORD>(size64 & 0xffffffffu), to_wide(name).c_str());
  if (mapping == nullptr) return last_error();
  if (::GetLastError() == ERROR_ALREADY_EXISTS) {
    ::CloseHandle(mapping);
    return std::make_error_code(std::errc::file_exists);
  }
  return map_region(reinterpret_cast<native_handle>(mapping), size, out);
}

std::error_code open_named_region(const std::string& name, mapped_region& out) noexcept {
  HANDLE mapping = ::OpenFileMappingW(FILE_MAP_ALL_ACCESS, FALSE, to_wide(name).c_str());
  if (mapping == nullptr) {
    if (::GetLastError() == ERROR_FILE_NOT_FOUND) return std::make_error_code(std::errc::no_such_file_or_directory);
    return last_error();
  }
  void* p = ::MapViewOfFile(mapping, FILE_MAP_ALL_ACCESS, 0, 0, 0);
  if (p == nullptr) {
    auto ec = last_error();
    ::CloseHandle(mapping);
    return ec;
  }
  MEMORY_BASIC_INFORMATION info{};
  ::VirtualQuery(p, &info, sizeof info);
  out = {reinterpret_cast<native_handle>(mapping), p, info.RegionSize};
  return {};
}

std::error_code remove_named_region(const std::string&) noexcept { return {}; }

std::error_code start_resource_tracker(spawn_options, native_handle& channel) noexcept {
  channel = invalid_handle;
  return {};
}

void run_resource_tracker(native_handle) noexcept { fast_exit(0); }

std::error_code tracker_note(native_handle, const std::string&, bool) noexcept { return {}; }

}  // namespace mproc::platform
