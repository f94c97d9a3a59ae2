#pragma once
// The archive every mproc message is decoded with: cereal's binary format, read straight from
// the received bytes (no istream), with one addition that matters for data from another
// process: a container's length is checked against the bytes left before anything is
// allocated, so a corrupted or hostile length is a SerializationError, not a multi-gigabyte
// allocation. (A container of empty structs, whose elements take no bytes, cannot be longer
// than the message; that is the price.) User types with a templated `serialize` work as with
// cereal::BinaryInputArchive.
#include <cereal/archives/binary.hpp>
#include <cereal/cereal.hpp>
#include <cstring>
#include <string>
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
