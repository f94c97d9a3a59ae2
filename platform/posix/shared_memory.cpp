#include "mproc/platform/shared_memory.hpp"

#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>

#include "mproc/platform/error.hpp"

namespace mproc::platform {

handle_kind shared_object_kind() noexcept { return handle_kind::descriptor; }

std::error_code create_shared_file(native_handle& out) noexcept {
  int fd = ::memfd_create("mproc", MFD_CLOEXEC);
  if (fd < 0) return last_error();
  out = fd;
  return {};
}

std::error_code create_region(std::size_t size, mapped_region& out) noexcept {
  native_handle fd = invalid_handle;
  if (auto ec = create_shared_file(fd)) return ec;
  if (::ftruncate(static_cast<int>(fd), static_cast<off_t>(size)) != 0) {
    auto ec = last_error();
    ::close(static_cast<int>(fd));
    return ec;
  }
  return map_region(fd, size, out);
}

std::error_code map_region(native_handle handle, std::size_t size, mapped_region& out) noexcept {
  void* p = ::mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_SHARED, static_cast<int>(handle), 0);
  if (p == MAP_FAILED) {
    auto ec = last_error();
    ::close(static_cast<int>(handle));
    return ec;
  }
  out = {handle, p, size};
  return {};
}

void release_region(mapped_region& region) noexcept {
  if (region.address != nullptr) ::munmap(region.address, region.size);
  if (region.handle != invalid_handle) ::close(static_cast<int>(region.handle));
  region = {};
}

std::error_code shared_file_write(native_handle file, std::uint64_t offset, const void* data,
                                  std::size_t size) noexcept {
  auto* p = static_cast<const char*>(data);
  while (size > 0) {
    ssize_t n = ::pwrite(static_cast<int>(file), p, size, static_cast<off_t>(offset));
    if (n < 0) {
      if (errno == EINTR) continue;
      return last_error();
    }
    p += n;
    offset += static_cast<std::uint64_t>(n);
    size -= static_cast<std::size_t>(n);
  }
  return {};
}

std::error_code shared_file_read(native_handle file, std::uint64_t offset, void* data,
                                 std::size_t size) noexcept {
  auto* p = static_cast<char*>(data);
  while (size > 0) {
    ssize_t n = ::pread(static_cast<int>(file), p, size, static_cast<off_t>(offset));
    if (n < 0) {
      if (errno == EINTR) continue;
      return last_error();
    }
    if (n == 0) return std::make_error_code(std::errc::io_error);  // Past the end: corrupt state.
    p += n;
    offset += static_cast<std::uint64_t>(n);
    size -= static_cast<std::size_t>(n);
  }
  return {};
}

std::error_code shared_file_resize(native_handle file, std::uint64_t size) noexcept {
  if (::ftruncate(static_cast<int>(file), static_cast<off_t>(size)) != 0) return last_error();
  return {};
}

std::error_code map_shared_file(native_handle file, std::size_t size, file_view& out) noexcept {
  // Populated up front: one call allocates and maps every page, instead of a fault per page
  // while an item is being copied in under the queue's lock.
  void* p = ::mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE,
                   static_cast<int>(file), 0);
  if (p == MAP_FAILED) return last_error();
  out = {p, size, invalid_handle};
  return {};
}

void unmap_shared_file(file_view& view) noexcept {
  if (view.address != nullptr) ::munmap(view.address, view.size);
  view = {};
}

void close_shared_file(native_handle file) noexcept {
  if (file != invalid_handle) ::close(static_cast<int>(file));
}

}  // namespace mproc::platform
