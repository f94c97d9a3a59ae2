#pragma once
// Python's `multiprocessing.managers.SharedMemoryManager`: a manager whose server remembers the
// shared-memory blocks made through it and unlinks them all when it shuts down, even those the
// creating process forgot (or never could unlink: it died).
//
//     mproc::SharedMemoryManager smm;
//     smm.start();
//     auto block = smm.SharedMemory(1024);          // a child attaches SharedMemory(block.name())
//     auto list = smm.ShareableList<int>({1, 2, 3});
//     smm.shutdown();                               // both unlinked (the destructor does it too)
#include <cstddef>
#include <initializer_list>
#include <optional>
#include <string>
#include <vector>

#include "mproc/managers.hpp"
#include "mproc/shareable_list.hpp"
#include "mproc/shared_memory.hpp"

namespace mproc {

class SharedMemoryManager : public BaseManager {
 public:
  /// A manager at a fresh local address with a random authkey; call `start()`.
  SharedMemoryManager();
  /// A manager at `address` with `authkey` (as BaseManager's).
  explicit SharedMemoryManager(std::optional<Address> address,
                               std::optional<std::string> authkey = {},
                               std::string start_method = {});

  /// A new block of `size` bytes (Python's `smm.SharedMemory(size)`), unlinked at shutdown.
  ::mproc::SharedMemory SharedMemory(std::size_t size) const;
  /// A new list holding `sequence` (Python's `smm.ShareableList(sequence)`), unlinked at
  /// shutdown.
  template <class T>
  ::mproc::ShareableList<T> ShareableList(const std::vector<T>& sequence) const {
    ::mproc::ShareableList<T> list(sequence);
    track_or_unlink(list.shm());
    return list;
  }
  template <class T>
  ::mproc::ShareableList<T> ShareableList(std::initializer_list<T> sequence) const {
    return ShareableList<T>(std::vector<T>(sequence));
  }
  /// The names of the blocks the server will unlink at shutdown (Python's `list_segments`,
  /// a private method there).
  std::vector<std::string> list_segments() const;

 private:
  void track_or_unlink(::mproc::SharedMemory& block) const;
};

}  // namespace mproc
