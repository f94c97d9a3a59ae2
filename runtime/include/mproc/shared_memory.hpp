#pragma once
// Python's `multiprocessing.shared_memory.SharedMemory`: a block of memory with a name that
// any process can attach to. Copies refer to the same mapping; passed to a child as a
// `Process` argument it is attached there by name. As in Python, the creator calls `unlink()`
// when the block is no longer needed; if a program never does (or is killed), a resource
// tracker removes it once every process of the program has ended, so nothing is left in
// /dev/shm.
#include <cstddef>
#include <memory>
#include <optional>
#include <span>
#include <string>

namespace mproc {

class SharedMemory {
 public:
  /// `create`: a new block of `size` bytes (a random name "psm_..." when `name` is empty);
  /// otherwise attach to the existing block `name` (SystemError if there is none).
  SharedMemory(std::optional<std::string> name, bool create, std::size_t size = 0);
  /// Attaches to the existing block `name` (Python's `SharedMemory(name)`).
  explicit SharedMemory(const std::string& name) : SharedMemory(name, false) {}
  explicit SharedMemory(const char* name) : SharedMemory(std::string(name), false) {}
  /// Attached to nothing (what a child's argument is decoded into before it attaches).
  SharedMemory() = default;

  /// The memory (Python's `buf`). Empty after `close()`.
  std::span<std::byte> buf() const noexcept;
  const std::string& name() const noexcept;
  std::size_t size() const noexcept;

  /// Unmaps it from this process (every copy here). Idempotent.
  void close() noexcept;
  /// Removes the name: no process can attach any more; the memory goes when the last process
  /// closes it. Call once, from one process (usually the creator).
  void unlink();

  template <class Archive>
  void save(Archive& archive) const {
    archive(name());
  }
  template <class Archive>
  void load(Archive& archive) {
    std::string n;
    archive(n);
    *this = SharedMemory(n);
  }

 private:
  struct State;
  std::shared_ptr<State> state_;
};

}  // namespace mproc
