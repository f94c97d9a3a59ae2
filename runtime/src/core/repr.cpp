// Python's repr() of floats, strings and single characters (mproc/repr.hpp).
#include "mproc/repr.hpp"

#include "mproc/detail/ctype_repr.hpp"

#include <charconv>
#include <cmath>
#include <cstdio>

namespace mproc::detail {

std::string repr_float(double v) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  // Python writes the shortest text that reads back (std::to_chars does the same), switching
  // to exponent form from 1e16 up and below 1e-4 (both write two-digit exponents: 1e-05).
  char buf[64];
  double magnitude = std::fabs(v);
  bool exponent = magnitude != 0 && (magnitude >= 1e16 || magnitude < 1e-4);
  auto [end, ec] = exponent ? std::to_chars(buf, buf + sizeof buf, v, std::chars_format::scientific)
                            : std::to_chars(buf, buf + sizeof buf, v, std::chars_format::fixed);
  std::string s(buf, ec == std::errc() ? end : buf);
  if (!exponent && s.find('.') == std::string::npos) s += ".0";  // 3.0, not 3
  return s;
}

// Shared by str and bytes reprs.
static void append_escaped(std::string& out, char c, char quote) {
  switch (c) {
    case '\\': out += "\\\\"; return;
    case '\n': out += "\\n"; return;
    case '\r': out += "\\r"; return;
    case '\t': out += "\\t"; return;
    default: break;
  }
  if (c == quote) {
    out += '\\';
    out += c;
    return;
  }
  auto byte = static_cast<unsigned char>(c);
  if (byte < 0x20 || byte == 0x7f) {
    char hex[8];
    std::snprintf(hex, sizeof hex, "\\x%02x", byte);
    out += hex;
    return;
  }
  out += c;  // printable ASCII, and UTF-8 bytes, which Python shows as the characters
}

std::string repr_text(std::string_view text) {
  // Python quotes with '...' unless the text holds a ' and no ".
  bool use_double = text.find('\'') != std::string_view::npos && text.find('"') == std::string_view::npos;
  char quote = use_double ? '"' : '\'';
  std::string out(1, quote);
  for (char c : text) append_escaped(out, c, quote);
  out += quote;
  return out;
}

std::string repr_char(char c) { return repr_text(std::string_view(&c, 1)); }

}  // namespace mproc::detail

namespace mproc {

std::string repr_bytes(std::string_view bytes) {
  // Bytes: printable ASCII as is, everything else \xNN (UTF-8 too, unlike str).
  bool use_double = bytes.find('\'') != std::string_view::npos && bytes.find('"') == std::string_view::npos;
  char quote = use_double ? '"' : '\'';
  std::string out = "b";
  out += quote;
  for (char c : bytes) {
    auto byte = static_cast<unsigned char>(c);
    if (byte >= 0x80) {
      char hex[8];
      std::snprintf(hex, sizeof hex, "\\x%02x", byte);
      out += hex;
    } else {
      detail::append_escaped(out, c, quote);
    }
  }
  out += quote;
  return out;
}

}  // namespace mproc

