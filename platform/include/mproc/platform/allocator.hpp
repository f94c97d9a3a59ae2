#pragma once
// Tuning the C allocator for a pool: its workers and the program that feeds them.

namespace mproc::platform {

/// Keeps freed memory for reuse instead of returning it to the OS at once. A pool encodes and
/// decodes chunks of similar size for every task, on both sides; with glibc's defaults each big
/// buffer (over 128 KiB at first) is mapped fresh and unmapped again, and on a VM the page faults
/// cost more than the work (a 1,000,000-int map runs 3-4x faster with this). CPython's arenas
/// keep memory the same way. No-op where the allocator has no such knob.
void keep_freed_memory_for_reuse() noexcept;

}  // namespace mproc::platform
