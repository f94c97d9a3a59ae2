#pragma once
// Anonymous shared memory and growable shared files. Neither has a name in the file system or
// in /dev/shm, so nothing can leak: the OS frees them when the last process holding a handle
// ends, however it ends (kill -9 included). They reach other processes as handles
// (inherited by fork, or handed over by platform/handle_transfer.hpp).
#include <cstddef>
#include <cstdint>
#include <system_error>

#include "mproc/platform/native_handle.hpp"

namespace mproc::platform {

/// What a region's or file's handle is (for handing it over).
handle_kind shared_object_kind() noexcept;

struct mapped_region {
  native_handle handle = invalid_handle;
  void* address = nullptr;
  std::size_t size = 0;
};

/// Creates zero-filled shared memory of `size` bytes and maps it. Linux: memfd_create.
/// Windows: a pagefile-backed file mapping.
std::error_code create_region(std::size_t size, mapped_region& out) noexcept;

/// Maps a region received from another process; takes ownership of `handle` even on failure.
std::error_code map_region(native_handle handle, std::size_t size, mapped_region& out) noexcept;

/// Unmaps and closes. Safe on an empty region.
void release_region(mapped_region& region) noexcept;

/// An anonymous file that any process holding it can grow, write and read at offsets (the
/// storage of a Queue's items). Linux: memfd. Windows: a temporary file deleted on close.
std::error_code create_shared_file(native_handle& out) noexcept;
std::error_code shared_file_write(native_handle file, std::uint64_t offset, const void* data,
                                  std::size_t size) noexcept;
std::error_code shared_file_read(native_handle file, std::uint64_t offset, void* data,
                                 std::size_t size) noexcept;
std::error_code shared_file_resize(native_handle file, std::uint64_t size) noexcept;
void close_shared_file(native_handle file) noexcept;

/// A view of the first `size` bytes of a shared file (which must be at least that long).
struct file_view {
  void* address = nullptr;
  std::size_t size = 0;
  native_handle mapping = invalid_handle;  // Windows: the file-mapping object behind the view
};
std::error_code map_shared_file(native_handle file, std::size_t size, file_view& out) noexcept;
void unmap_shared_file(file_view& view) noexcept;

}  // namespace mproc::platform
