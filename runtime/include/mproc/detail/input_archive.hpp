#pragma once
// The archive every mproc message is decoded with: cereal's binary format, read straight from
// the received bytes (no istream), with one addition that matters for data from another
// process: a container's length is checked against the bytes left before anything is
// allocated, so a corrupted or hostile length is a SerializationError, not a multi-gigabyte
// allocation. A vector of empty elements (`std::monostate`, empty structs: Python's
// `[None] * n`) takes no bytes per element, so its length is bounded by a fixed count instead
// (`max_empty_elements`). User types with a templated `serialize` work as with
// cereal::BinaryInputArchive.
#include <cereal/archives/binary.hpp>
#include <cereal/cereal.hpp>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>
#include <string_view>
#include <type_traits>

#include "mproc/errors.hpp"

namespace mproc::wire {

class InputArchive : public cereal::InputArchive<InputArchive, cereal::AllowEmptyClassElision> {
 public:
  explicit InputArchive(std::string_view bytes)
      : cereal::InputArchive<InputArchive, cereal::AllowEmptyClassElision>(this), bytes_(bytes) {}

  void loadBinary(void* out, std::size_t size) {
    if (size > bytes_.size())
      throw SerializationError("cannot decode a message: it needs " + std::to_string(size) +
                               " more bytes but only " + std::to_string(bytes_.size()) +
                               " are left (the data is truncated or of another type than expected)");
    if (size > 0) std::memcpy(out, bytes_.data(), size);
    bytes_.remove_prefix(size);
  }

  std::size_t remaining() const noexcept { return bytes_.size(); }

 private:
  std::string_view bytes_;
};

template <class T>
inline std::enable_if_t<std::is_arithmetic_v<T> && !std::is_same_v<T, bool>> CEREAL_LOAD_FUNCTION_NAME(
    InputArchive& ar, T& t) {
  ar.loadBinary(std::addressof(t), sizeof(t));
}

// A bool is one byte, 0 or 1; anything else would be undefined behaviour to use as a bool.
inline void CEREAL_LOAD_FUNCTION_NAME(InputArchive& ar, bool& b) {
  unsigned char v = 0;
  ar.loadBinary(&v, 1);
  if (v > 1)
    throw SerializationError("cannot decode a message: a bool holds " + std::to_string(v) +
                             " (the data is corrupted or of another type than expected)");
  b = v == 1;
}

template <class T>
inline void CEREAL_SERIALIZE_FUNCTION_NAME(InputArchive& ar, cereal::NameValuePair<T>& t) {
  ar(t.value);
}

template <class T>
inline void CEREAL_SERIALIZE_FUNCTION_NAME(InputArchive& ar, cereal::SizeTag<T>& t) {
  ar(t.size);
  if (static_cast<unsigned long long>(t.size) > ar.remaining())
    throw SerializationError("cannot decode a message: a length of " + std::to_string(t.size) +
                             " exceeds the " + std::to_string(ar.remaining()) +
                             " bytes left (the data is corrupted or of another type than expected)");
}

/// The most elements a received vector of empty elements may have: 64 Mi (64 MiB of memory at
/// one byte each), far above Python's `[None] * 1_000_000` and still a bounded allocation.
inline constexpr std::uint64_t max_empty_elements = std::uint64_t{1} << 26;

// Chosen over cereal's own vector loader (more specialised in the archive): the same wire
// format, a different length check.
template <class T, class A, std::enable_if_t<std::is_empty_v<T>, int> = 0>
inline void CEREAL_LOAD_FUNCTION_NAME(InputArchive& ar, std::vector<T, A>& v) {
  cereal::size_type size = 0;
  ar.loadBinary(&size, sizeof size);
  if (size > max_empty_elements)
    throw SerializationError("cannot decode a message: a list of " + std::to_string(size) +
                             " empty elements is longer than the limit of " +
                             std::to_string(max_empty_elements) +
                             " (the data is corrupted or of another type than expected)");
  v.resize(static_cast<std::size_t>(size));
  for (T& element : v) ar(element);
}

template <class T>
inline void CEREAL_LOAD_FUNCTION_NAME(InputArchive& ar, cereal::BinaryData<T>& bd) {
  ar.loadBinary(bd.data, static_cast<std::size_t>(bd.size));
}

}  // namespace mproc::wire

CEREAL_REGISTER_ARCHIVE(mproc::wire::InputArchive)

// Pairs it with cereal's binary output archive for cereal's trait checks (the output side
// already names cereal::BinaryInputArchive as its partner, so only this direction is set).
namespace cereal::traits::detail {
template <>
struct get_output_from_input<mproc::wire::InputArchive> {
  using type = cereal::BinaryOutputArchive;
};
}  // namespace cereal::traits::detail
