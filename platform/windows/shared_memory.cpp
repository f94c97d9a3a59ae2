#include "mproc/platform/shared_memory.hpp"

#include <windows.h>

#include <string>

#include "mproc/platform/error.hpp"

namespace mproc::platform {
namespace {

HANDLE h(native_handle n) { return reinterpret_cast<HANDLE>(n); }

OVERLAPPED at(std::uint64_t offset) {
  OVERLAPPED o{};
  o.Offset = static_cast<DWORD>(offset & 0xffffffffu);
  o.OffsetHigh = static_cast<DWORD>(offset >> 32);
  return o;
}

}  // namespace

handle_kind shared_object_kind() noexcept { return handle_kind::os_object; }

std::error_code create_region(std::size_t size, mapped_region& out) noexcept {
  auto size64 = static_cast<std::uint64_t>(size);
  HANDLE mapping = ::CreateFileMappingW(INVALID_HANDLE_VALUE, nullptr, PAGE_READWRITE,
                                        static_cast<DWORD>(size64 >> 32),
                                        static_cast<DWORD>(size64 & 0xffffffffu), nullptr);
  if (mapping == nullptr) return last_error();
  return map_region(reinterpret_cast<native_handle>(mapping), size, out);
}

std::error_code map_region(native_handle handle, std::size_t size, mapped_region& out) noexcept {
  void* p = ::MapViewOfFile(h(handle), FILE_MAP_ALL_ACCESS, 0, 0, size);
  if (p == nullptr) {
    auto ec = last_error();
    ::CloseHandle(h(handle));
    return ec;
  }
  out = {handle, p, size};
  return {};
}

void release_region(mapped_region& region) noexcept {
  if (region.address != nullptr) ::UnmapViewOfFile(region.address);
  if (region.handle != invalid_handle) ::CloseHandle(h(region.handle));
  region = {};
}

// A temporary file that Windows deletes when its last handle closes; FILE_ATTRIBUTE_TEMPORARY
// keeps it in the cache rather than on disk where memory allows.
std::error_code create_shared_file(native_handle& out) noexcept {
  wchar_t dir[MAX_PATH + 1];
  wchar_t path[MAX_PATH + 1];
  if (::GetTempPathW(MAX_PATH, dir) == 0 || ::GetTempFileNameW(dir, L"mpq", 0, path) == 0)
    return last_error();
  HANDLE file = ::CreateFileW(path, GENERIC_READ | GENERIC_WRITE,
                              FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, nullptr,
                              CREATE_ALWAYS, FILE_ATTRIBUTE_TEMPORARY | FILE_FLAG_DELETE_ON_CLOSE,
                              nullptr);
  if (file == INVALID_HANDLE_VALUE) {
    auto ec = last_error();
    ::DeleteFileW(path);
    return ec;
  }
  out = reinterpret_cast<native_handle>(file);
  return {};
}

std::error_code shared_file_write(native_handle file, std::uint64_t offset, const void* data,
                                  std::size_t size) noexcept {
  auto* p = static_cast<const char*>(data);
  while (size > 0) {
    DWORD chunk = size > 0x10000000 ? 0x10000000 : static_cast<DWORD>(size);
    OVERLAPPED o = at(offset);
    DWORD written = 0;
    if (!::WriteFile(h(file), p, chunk, &written, &o)) return last_error();
    p += written;
    offset += written;
    size -= written;
  }
  return {};
}

std::error_code shared_file_read(native_handle file, std::uint64_t offset, void* data,
                                 std::size_t size) noexcept {
  auto* p = static_cast<char*>(data);
  while (size > 0) {
    DWORD chunk = size > 0x10000000 ? 0x10000000 : static_cast<DWORD>(size);
    OVERLAPPED o = at(offset);
    DWORD n = 0;
    if (!::ReadFile(h(file), p, chunk, &n, &o)) return last_error();
    if (n == 0) return std::make_error_code(std::errc::io_error);
    p += n;
    offset += n;
    size -= n;
  }
  return {};
}

std::error_code shared_file_resize(native_handle file, std::uint64_t size) noexcept {
  FILE_END_OF_FILE_INFO info{};
  info.EndOfFile.QuadPart = static_cast<LONGLONG>(size);
  if (!::SetFileInformationByHandle(h(file), FileEndOfFileInfo, &info, sizeof info)) return last_error();
  return {};
}

std::error_code map_shared_file(native_handle file, std::size_t size, file_view& out) noexcept {
  auto size64 = static_cast<std::uint64_t>(size);
  HANDLE mapping = ::CreateFileMappingW(h(file), nullptr, PAGE_READWRITE, static_cast<DWORD>(size64 >> 32),
                                        static_cast<DWORD>(size64 & 0xffffffffu), nullptr);
  if (mapping == nullptr) return last_error();
  void* p = ::MapViewOfFile(mapping, FILE_MAP_ALL_ACCESS, 0, 0, size);
  if (p == nullptr) {
    auto ec = last_error();
    ::CloseHandle(mapping);
    return ec;
  }
  out = {p, size, reinterpret_cast<native_handle>(mapping)};
  return {};
}

void unmap_shared_file(file_view& view) noexcept {
  if (view.address != nullptr) ::UnmapViewOfFile(view.address);
  if (view.mapping != invalid_handle) ::CloseHandle(h(view.mapping));
  view = {};
}

void close_shared_file(native_handle file) noexcept {
  if (file != invalid_handle) ::CloseHandle(h(file));
}

}  // namespace mproc::platform
