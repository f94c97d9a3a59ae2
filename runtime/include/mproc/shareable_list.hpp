#pragma once
// Python's `multiprocessing.shared_memory.ShareableList`: a fixed-length list stored in a
// SharedMemory block that other processes attach to by name. Typed here: every item is a T,
// which must be trivially copyable (its bytes are what is shared). The block starts with a small
// header (a magic number, the length, sizeof(T)) so that attaching with the wrong type is a
// clear error.
#include <algorithm>
#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <optional>
#include <string>
#include <type_traits>
#include <typeinfo>
#include <vector>

#include "mproc/errors.hpp"
#include "mproc/shared_memory.hpp"

namespace mproc {

template <class T>
class ShareableList {
  static_assert(std::is_trivially_copyable_v<T>,
                "mproc: ShareableList shares raw bytes, so T must be trivially copyable");

  struct Header {
    std::uint64_t magic;
    std::uint64_t length;
    std::uint64_t item_size;
    std::uint64_t type_hash;  // which T: long and double have the same size
  };
  static std::uint64_t type_hash() noexcept {
    std::uint64_t h = 1469598103934665603ull;  // FNV-1a of the type's name
    for (const char* p = typeid(T).name(); *p != '\0'; ++p) h = (h ^ static_cast<unsigned char>(*p)) * 1099511628211ull;
    return h;
  }
  static constexpr std::uint64_t magic = 0x4d50524f43534c31ull;  // "MPROCSL1"
  static constexpr std::size_t header_size = (sizeof(Header) + alignof(std::max_align_t) - 1) /
                                             alignof(std::max_align_t) * alignof(std::max_align_t);

 public:
  /// A new list holding `sequence`, in a new block (named `name`, or a random name).
  explicit ShareableList(const std::vector<T>& sequence, std::optional<std::string> name = std::nullopt)
      : shm_(name, true, header_size + std::max<std::size_t>(sequence.size(), 1) * sizeof(T)) {
    Header h{magic, sequence.size(), sizeof(T), type_hash()};
    std::memcpy(shm_.buf().data(), &h, sizeof h);
    if (!sequence.empty()) std::memcpy(items(), sequence.data(), sequence.size() * sizeof(T));
    length_ = sequence.size();
  }
  ShareableList(std::initializer_list<T> sequence) : ShareableList(std::vector<T>(sequence)) {}
  /// Attaches to the list in block `name` (Python's `ShareableList(name=...)`).
  explicit ShareableList(const std::string& name) : shm_(name) { check_header(); }
  /// Attached to nothing (what a child's argument is decoded into).
  ShareableList() = default;

  std::size_t size() const noexcept { return length_; }
  T& operator[](std::size_t i) const noexcept { return items()[i]; }
  /// Checked access (Python's IndexError, as ValueError).
  T& at(std::size_t i) const {
    if (i >= length_)
      throw ValueError("ShareableList index " + std::to_string(i) + " out of range (length " +
                       std::to_string(length_) + ")");
    return items()[i];
  }
  T* begin() const noexcept { return items(); }
  T* end() const noexcept { return items() + length_; }
  std::size_t count(const T& value) const {
    return static_cast<std::size_t>(std::count(begin(), end(), value));
  }
  /// The first position of `value`; ValueError if absent (as Python).
  std::size_t index(const T& value) const {
    auto it = std::find(begin(), end(), value);
    if (it == end()) throw ValueError("value not in ShareableList");
    return static_cast<std::size_t>(it - begin());
  }
  std::vector<T> to_vector() const { return std::vector<T>(begin(), end()); }
  /// The block behind it (Python's `.shm`): `shm().name()`, `shm().close()`, `shm().unlink()`.
  SharedMemory& shm() noexcept { return shm_; }

  template <class Archive>
  void save(Archive& archive) const {
    archive(shm_);
  }
  template <class Archive>
  void load(Archive& archive) {
    archive(shm_);
    check_header();
  }

 private:
  T* items() const noexcept { return reinterpret_cast<T*>(shm_.buf().data() + header_size); }
  void check_header() {
    Header h{};
    if (shm_.size() < header_size) throw ValueError("block '" + shm_.name() + "' is not a ShareableList");
    std::memcpy(&h, shm_.buf().data(), sizeof h);
    if (h.magic != magic) throw ValueError("block '" + shm_.name() + "' is not a ShareableList");
    if (h.item_size != sizeof(T) || h.type_hash != type_hash() || header_size + h.length * sizeof(T) > shm_.size())
      throw ValueError("ShareableList '" + shm_.name() + "' holds items of another type (" +
                       std::to_string(h.item_size) + " bytes each) than the one asked for");
    length_ = static_cast<std::size_t>(h.length);
  }

  SharedMemory shm_;
  std::size_t length_ = 0;
};

}  // namespace mproc
