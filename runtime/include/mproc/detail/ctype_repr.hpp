#pragma once
// How shared values print: with the name Python's ctypes gives the type (c_int(5), c_double(2.5),
// c_char(b'a'), c_int_Array_3([1, 2, 3]), c_char_Array_5(b'hello')).
#include <cstddef>
#include <string>
#include <string_view>
#include <type_traits>

#include "mproc/detail/type_name.hpp"
#include "mproc/repr.hpp"

namespace mproc::detail {

template <class T>
std::string ctype_name() {
  if constexpr (std::is_same_v<T, bool>) return "c_bool";
  else if constexpr (std::is_same_v<T, char>) return "c_char";
  else if constexpr (std::is_same_v<T, signed char>) return "c_byte";
  else if constexpr (std::is_same_v<T, unsigned char>) return "c_ubyte";
  else if constexpr (std::is_same_v<T, short>) return "c_short";
  else if constexpr (std::is_same_v<T, unsigned short>) return "c_ushort";
  else if constexpr (std::is_same_v<T, int>) return "c_int";
  else if constexpr (std::is_same_v<T, unsigned>) return "c_uint";
  else if constexpr (std::is_same_v<T, long>) return "c_long";
  else if constexpr (std::is_same_v<T, unsigned long>) return "c_ulong";
  else if constexpr (std::is_same_v<T, long long>) return "c_longlong";
  else if constexpr (std::is_same_v<T, unsigned long long>) return "c_ulonglong";
  else if constexpr (std::is_same_v<T, float>) return "c_float";
  else if constexpr (std::is_same_v<T, double>) return "c_double";
  else if constexpr (std::is_same_v<T, long double>) return "c_longdouble";
  else return type_name_of<T>();
}

/// One element as ctypes shows it; a struct without a repr shows as `...`.
template <class T>
std::string ctype_value_repr(const T& v) {
  if constexpr (std::is_same_v<T, char>) return repr_bytes(std::string_view(&v, 1));
  else if constexpr (requires { mproc::repr(v); }) return mproc::repr(v);
  else return "...";
}

/// `c_int_Array_3([1, 2, 3])`; char arrays as bytes up to the first NUL, as Python's `.value`;
/// long arrays end in `...` after 100 elements.
template <class T>
std::string ctype_array_repr(const T* data, std::size_t size) {
  std::string out = ctype_name<T>() + "_Array_" + std::to_string(size) + "(";
  if constexpr (std::is_same_v<T, char>) {
    std::size_t n = 0;
    while (n < size && data[n] != '\0') ++n;
    return out + repr_bytes(std::string_view(data, n)) + ")";
  } else {
    constexpr std::size_t shown = 100;
    out += "[";
    for (std::size_t i = 0; i < size && i < shown; ++i) out += (i ? ", " : "") + ctype_value_repr(data[i]);
    if (size > shown) out += ", ...";
    return out + "])";
  }
}

}  // namespace mproc::detail
