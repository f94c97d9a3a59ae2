#pragma once
// Shared memory values and arrays (Python's `Value`, `Array`, `RawValue`, `RawArray`). T must be
// trivially copyable: the bytes themselves are shared, as with Python's ctypes objects. The
// memory is anonymous and freed with the last process that maps it (kill -9 included).
#include <algorithm>
#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "mproc/detail/ctype_repr.hpp"
#include "mproc/detail/handle_passing.hpp"
#include "mproc/errors.hpp"
#include "mproc/synchronize.hpp"

namespace mproc {

namespace detail {

/// A fixed-size block of anonymous shared memory, mapped in this process.
class SharedBlock {
 public:
  static std::shared_ptr<SharedBlock> create(std::size_t size);
  /// Maps a block received from another process (takes ownership of `handle`).
  static std::shared_ptr<SharedBlock> adopt(native_handle handle, std::size_t size);
  ~SharedBlock();
  SharedBlock(const SharedBlock&) = delete;
  SharedBlock& operator=(const SharedBlock&) = delete;

  void* data() const noexcept { return data_; }
  std::size_t size() const noexcept { return size_; }
  native_handle handle() const noexcept { return handle_; }

 private:
  SharedBlock() = default;
  native_handle handle_ = invalid_handle;
  void* data_ = nullptr;
  std::size_t size_ = 0;
  std::size_t mapped_ = 0;
};

template <class Archive>
void save_block(Archive& archive, const SharedBlock& block, const char* what) {
  archive(export_handle(block.handle(), region_handle_kind(), what), static_cast<std::uint64_t>(block.size()));
}

template <class Archive>
std::shared_ptr<SharedBlock> load_block(Archive& archive, const char* what) {
  std::uint32_t index = 0;
  std::uint64_t size = 0;
  archive(index, size);
  return SharedBlock::adopt(import_handle(index, what), static_cast<std::size_t>(size));
}

}  // namespace detail

/// Python's `RawValue`: one T in shared memory, no lock.
template <class T>
class RawValue {
  static_assert(std::is_trivially_copyable_v<T>,
                "mproc: a shared Value/Array holds raw bytes, so T must be trivially copyable");

 public:
  explicit RawValue(const T& init = T{}) : block_(detail::SharedBlock::create(sizeof(T))) {
    std::memcpy(block_->data(), &init, sizeof(T));
  }
  /// Python's `.value`.
  T value() const {
    T v;
    std::memcpy(&v, block_->data(), sizeof(T));
    return v;
  }
  void set_value(const T& v) { std::memcpy(block_->data(), &v, sizeof(T)); }
  RawValue& operator=(const T& v) {
    set_value(v);
    return *this;
  }
  /// The shared object itself (for atomics and in-place updates).
  T* get() const noexcept { return static_cast<T*>(block_->data()); }

  /// `c_int(5)`, as Python prints a RawValue.
  std::string repr() const { return detail::ctype_name<T>() + "(" + detail::ctype_value_repr(value()) + ")"; }

  template <class Archive>
  void save(Archive& archive) const {
    detail::save_block(archive, *block_, "Value");
  }
  template <class Archive>
  void load(Archive& archive) {
    block_ = detail::load_block(archive, "Value");
    if (block_->size() != sizeof(T)) throw SerializationError("a shared Value of another type was received");
  }

 private:
  std::shared_ptr<detail::SharedBlock> block_;
};

/// Python's `Value(typecode, init, lock=True)`: a RawValue whose `value()`/`set_value()` hold
/// its lock, and `get_lock()` for read-modify-write (`v.value += 1` is not atomic in Python
/// either: hold the lock around it).
template <class T>
class Value : public RawValue<T> {
 public:
  explicit Value(const T& init = T{}, bool lock = true) : RawValue<T>(init) {
    if (lock) lock_ = RLock();
  }
  /// With a lock of your own (Python's `lock=` argument).
  Value(const T& init, Lock lock) : RawValue<T>(init), lock_(std::move(lock)) {}

  T value() const {
    if (!lock_) return RawValue<T>::value();
    std::lock_guard<Lock> guard(*lock_);
    return RawValue<T>::value();
  }
  void set_value(const T& v) {
    if (!lock_) return RawValue<T>::set_value(v);
    std::lock_guard<Lock> guard(*lock_);
    RawValue<T>::set_value(v);
  }
  Value& operator=(const T& v) {
    set_value(v);
    return *this;
  }
  Lock& get_lock() {
    if (!lock_) throw ValueError("this Value was created with lock=false: it has no lock");
    return *lock_;
  }

  /// `<Synchronized wrapper for c_int(5)>` (`c_int(5)` with lock=false), as Python prints it.
  std::string repr() const {
    std::string inner = detail::ctype_name<T>() + "(" + detail::ctype_value_repr(value()) + ")";
    return lock_ ? "<Synchronized wrapper for " + inner + ">" : inner;
  }

  template <class Archive>
  void save(Archive& archive) const {
    RawValue<T>::save(archive);
    archive(lock_);
  }
  template <class Archive>
  void load(Archive& archive) {
    RawValue<T>::load(archive);
    archive(lock_);
  }

 private:
  mutable std::optional<Lock> lock_;  // locking is not a change of the value
};

/// Python's `RawArray`: a fixed number of T in shared memory, no lock.
template <class T>
class RawArray {
  static_assert(std::is_trivially_copyable_v<T>,
                "mproc: a shared Value/Array holds raw bytes, so T must be trivially copyable");

 public:
  /// `size` zero-initialised elements (Python's `Array('i', 5)`).
  /// An empty array (what a child's argument is decoded into).
  RawArray() : RawArray(std::size_t{0}) {}
  explicit RawArray(std::size_t size) : block_(detail::SharedBlock::create(std::max<std::size_t>(size, 1) * sizeof(T))), size_(size) {}
  /// A copy of `init` (Python's `Array('i', range(10))`).
  RawArray(std::initializer_list<T> init) : RawArray(std::vector<T>(init)) {}
  explicit RawArray(const std::vector<T>& init) : RawArray(init.size()) {
    if (!init.empty()) std::memcpy(block_->data(), init.data(), init.size() * sizeof(T));
  }
  /// A char array holding `text`'s bytes (Python's `Array('c', b'hello')`: no NUL added).
  explicit RawArray(std::string_view text)
    requires std::is_same_v<T, char>
      : RawArray(text.size()) {
    if (!text.empty()) std::memcpy(block_->data(), text.data(), text.size());
  }

  std::size_t size() const noexcept { return size_; }
  std::size_t length() const noexcept { return size_; }  // Python's len()
  T* data() const noexcept { return static_cast<T*>(block_->data()); }
  /// Element access; `at` checks the index (IndexError as ValueError).
  T& operator[](std::size_t i) const noexcept { return data()[i]; }
  T& at(std::size_t i) const {
    if (i >= size_) throw ValueError("array index " + std::to_string(i) + " out of range (size " + std::to_string(size_) + ")");
    return data()[i];
  }
  T* begin() const noexcept { return data(); }
  T* end() const noexcept { return data() + size_; }
  /// Python's `a[:]` and `a[start:stop]`.
  std::span<T> span() const noexcept { return {data(), size_}; }
  std::span<T> slice(std::size_t start, std::size_t stop) const {
    stop = std::min(stop, size_);
    start = std::min(start, stop);
    return {data() + start, stop - start};
  }
  std::vector<T> to_vector() const { return std::vector<T>(begin(), end()); }

  /// A char array's text up to its first NUL (Python's `.value` of `Array('c', ...)`).
  std::string value() const
    requires std::is_same_v<T, char>
  {
    return std::string(data(), std::find(begin(), end(), '\0'));
  }
  /// Stores `text` and a NUL after it if there is room (Python's `.value = b'...'`);
  /// ValueError if it is longer than the array.
  void set_value(std::string_view text)
    requires std::is_same_v<T, char>
  {
    check_fits(text, "value");
    std::memcpy(data(), text.data(), text.size());
    if (text.size() < size_) data()[text.size()] = '\0';
  }
  /// Every byte, NULs included (Python's `.raw`).
  std::string raw() const
    requires std::is_same_v<T, char>
  {
    return std::string(data(), size_);
  }
  /// Overwrites the first bytes (Python's `.raw = b'...'`); ValueError if too long.
  void set_raw(std::string_view bytes)
    requires std::is_same_v<T, char>
  {
    check_fits(bytes, "raw");
    std::memcpy(data(), bytes.data(), bytes.size());
  }

  /// `c_int_Array_3([1, 2, 3])`, `c_char_Array_5(b'hello')`.
  std::string repr() const { return detail::ctype_array_repr(data(), size_); }

  template <class Archive>
  void save(Archive& archive) const {
    detail::save_block(archive, *block_, "Array");
    archive(static_cast<std::uint64_t>(size_));
  }
  template <class Archive>
  void load(Archive& archive) {
    block_ = detail::load_block(archive, "Array");
    std::uint64_t size = 0;
    archive(size);
    if (block_->size() < size * sizeof(T)) throw SerializationError("a shared Array of another type was received");
    size_ = static_cast<std::size_t>(size);
  }

 private:
  void check_fits(std::string_view bytes, const char* what) const {
    if (bytes.size() > size_)
      throw ValueError("Array." + std::string(what) + ": " + std::to_string(bytes.size()) +
                       " bytes do not fit in a char array of " + std::to_string(size_) +
                       "; make the array larger");
  }

  std::shared_ptr<detail::SharedBlock> block_;
  std::size_t size_ = 0;
};

/// Python's `Array(typecode, size_or_initializer, lock=True)`: a RawArray with `get_lock()`.
/// Element access is a plain reference into shared memory; hold `get_lock()` for updates that
/// must be atomic.
template <class T>
class Array : public RawArray<T> {
 public:
  Array() : RawArray<T>(std::size_t{0}) {}
  explicit Array(std::size_t size, bool lock = true) : RawArray<T>(size) { init_lock(lock); }
  Array(std::initializer_list<T> init, bool lock = true) : RawArray<T>(init) { init_lock(lock); }
  explicit Array(const std::vector<T>& init, bool lock = true) : RawArray<T>(init) { init_lock(lock); }
  /// With a lock of your own, as Value takes one (Python's `lock=` argument).
  Array(std::size_t size, Lock lock) : RawArray<T>(size), lock_(std::move(lock)) {}
  Array(std::initializer_list<T> init, Lock lock) : RawArray<T>(init), lock_(std::move(lock)) {}
  Array(const std::vector<T>& init, Lock lock) : RawArray<T>(init), lock_(std::move(lock)) {}
  /// A char array holding `text` (Python's `Array('c', b'hello')`).
  explicit Array(std::string_view text, bool lock = true)
    requires std::is_same_v<T, char>
      : RawArray<T>(text) {
    init_lock(lock);
  }
  Array(std::string_view text, Lock lock)
    requires std::is_same_v<T, char>
      : RawArray<T>(text), lock_(std::move(lock)) {}

  Lock& get_lock() {
    if (!lock_) throw ValueError("this Array was created with lock=false: it has no lock");
    return *lock_;
  }

  /// `<SynchronizedArray wrapper for c_int_Array_3([1, 2, 3])>` (without the wrapper when
  /// lock=false).
  std::string repr() const {
    std::string inner = RawArray<T>::repr();
    return lock_ ? "<SynchronizedArray wrapper for " + inner + ">" : inner;
  }

  template <class Archive>
  void save(Archive& archive) const {
    RawArray<T>::save(archive);
    archive(lock_);
  }
  template <class Archive>
  void load(Archive& archive) {
    RawArray<T>::load(archive);
    archive(lock_);
  }

 private:
  void init_lock(bool lock) {
    if (lock) lock_ = RLock();
  }
  std::optional<Lock> lock_;
};

}  // namespace mproc
