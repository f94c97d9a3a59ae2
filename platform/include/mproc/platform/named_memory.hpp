#pragma once
// Named shared memory (Python's `multiprocessing.shared_memory`), which unrelated processes
// attach to by name, and the resource tracker that keeps it from leaking.
//
// POSIX: shm_open objects live in /dev/shm until unlinked, even after every user died. So the
// first process that creates one starts a tracker: our own binary run again (spawned, so its
// start does not copy a big parent, nor inherit its locks or threads), that only reads "R name"/"U name" lines from a pipe and, when every holder of the
// pipe's write end is gone (however they ended, kill -9 included), unlinks what is still
// registered (CPython's resource_tracker does the same). Windows: named file mappings vanish
// with their last handle; no tracker is needed.
#include <string>
#include <system_error>

#include "mproc/platform/native_handle.hpp"
#include "mproc/platform/shared_memory.hpp"
#include "mproc/platform/spawn.hpp"

namespace mproc::platform {

/// Creates `name` (no leading slash; at most 200 characters) with `size` bytes and maps it;
/// `errc::file_exists` if it exists.
std::error_code create_named_region(const std::string& name, std::size_t size, mapped_region& out) noexcept;

/// Maps an existing `name` whole; `out.size` is its size (Windows: rounded up to whole pages).
/// `errc::no_such_file_or_directory` if it does not exist.
std::error_code open_named_region(const std::string& name, mapped_region& out) noexcept;

/// Removes the name (existing mappings stay valid). No-op on Windows.
std::error_code remove_named_region(const std::string& name) noexcept;

/// Whether named regions outlive their users on this platform (and so need the tracker).
bool named_regions_persist() noexcept;

/// Starts a tracker with `how` (our binary, in its tracker role), giving it the read end of a new
/// pipe as descriptor 3; `channel` is the write end (close-on-exec; forked children inherit it,
/// which is the point). No-op on Windows.
std::error_code start_resource_tracker(spawn_options how, native_handle& channel) noexcept;

/// The tracker's body, in the process `start_resource_tracker` started: reads `input` until every
/// writer is gone, removes what is still registered, exits. Never returns.
[[noreturn]] void run_resource_tracker(native_handle input) noexcept;

/// Tells the tracker to remove `name` at the end (`keep` false) or to forget it (`keep` true,
/// after an explicit unlink).
std::error_code tracker_note(native_handle channel, const std::string& name, bool forget) noexcept;

}  // namespace mproc::platform
