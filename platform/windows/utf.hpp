#pragma once
// Windows-only helpers: mproc's strings are UTF-8, Windows' "W" APIs take UTF-16. The "A" APIs
// would use the ANSI code page, which cannot hold most names (a CJK folder on a Western system),
// so every path and name crosses through here.
#include <windows.h>

#include <string>
#include <string_view>
#include <system_error>

namespace mproc::platform {

/// UTF-8 to UTF-16. Invalid UTF-8 is an error (ERROR_NO_UNICODE_TRANSLATION), never a string
/// with replacement characters that would name some other file.
inline std::error_code to_wide(std::string_view s, std::wstring& out) {
  out.clear();
  if (s.empty()) return {};
  int n = ::MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, s.data(), static_cast<int>(s.size()),
                                nullptr, 0);
  if (n <= 0) return {static_cast<int>(::GetLastError()), std::system_category()};
  out.resize(static_cast<std::size_t>(n));
  ::MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, s.data(), static_cast<int>(s.size()), out.data(), n);
  return {};
}

/// `to_wide` for names that were made valid UTF-8 by us: an invalid one becomes empty, which
/// the API it is passed to then rejects.
inline std::wstring to_wide(std::string_view s) {
  std::wstring out;
  (void)to_wide(s, out);
  return out;
}

/// UTF-16 to UTF-8 (unpaired surrogates become U+FFFD).
inline std::string to_utf8(std::wstring_view w) {
  if (w.empty()) return {};
  int n = ::WideCharToMultiByte(CP_UTF8, 0, w.data(), static_cast<int>(w.size()), nullptr, 0, nullptr, nullptr);
  std::string out(static_cast<std::size_t>(n > 0 ? n : 0), '\0');
  if (n > 0) ::WideCharToMultiByte(CP_UTF8, 0, w.data(), static_cast<int>(w.size()), out.data(), n, nullptr, nullptr);
  return out;
}

}  // namespace mproc::platform
