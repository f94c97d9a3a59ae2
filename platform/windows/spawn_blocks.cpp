#include "spawn_blocks.hpp"

#include <algorithm>
#include <cstring>

namespace mproc::platform {

std::wstring quote_command_line(const std::vector<std::wstring>& arguments) {
  std::wstring line;
  for (const std::wstring& arg : arguments) {
    if (!line.empty()) line += L' ';
    if (!arg.empty() && arg.find_first_of(L" \t\n\v\"") == std::wstring::npos) {
      line += arg;
      continue;
    }
    line += L'"';
    std::size_t backslashes = 0;
    for (wchar_t c : arg) {
      if (c == L'\\') {
        ++backslashes;
        continue;
      }
      // Backslashes are literal unless a quote follows them: then each one is doubled, and the
      // quote itself escaped.
      if (c == L'"') line.append(backslashes * 2 + 1, L'\\');
      else line.append(backslashes, L'\\');
      backslashes = 0;
      line += c;
    }
    line.append(backslashes * 2, L'\\');  // they precede the closing quote
    line += L'"';
  }
  return line;
}

namespace {

std::wstring_view name_of(const std::wstring& variable) {
  // "=C:=C:\dir" (a drive's current directory) has its name after the leading '='.
  std::size_t eq = variable.find(L'=', 1);
  return std::wstring_view(variable).substr(0, eq == std::wstring::npos ? variable.size() : eq);
}

}  // namespace

std::wstring environment_block(std::vector<std::wstring> variables) {
  std::stable_sort(variables.begin(), variables.end(), [](const std::wstring& a, const std::wstring& b) {
    std::wstring_view na = name_of(a), nb = name_of(b);
    return ::CompareStringOrdinal(na.data(), static_cast<int>(na.size()), nb.data(),
                                  static_cast<int>(nb.size()), TRUE) == CSTR_LESS_THAN;
  });
  std::wstring block;
  for (const std::wstring& v : variables) {
    if (v.empty()) continue;  // an empty string would end the block early
    block += v;
    block += L'\0';
  }
  if (block.empty()) block += L'\0';  // an empty block is two NULs
  block += L'\0';
  return block;
}

namespace {

// The CRT's descriptor flags (ioinfo.osfile), as the CRT itself writes them for `_spawn`.
constexpr unsigned char fopen_flag = 0x01;
constexpr unsigned char fpipe_flag = 0x08;
constexpr unsigned char fdev_flag = 0x40;

unsigned char crt_flags(HANDLE h) {
  if (h == nullptr || h == INVALID_HANDLE_VALUE) return 0;
  switch (::GetFileType(h)) {
    case FILE_TYPE_DISK: return fopen_flag;
    case FILE_TYPE_PIPE: return fopen_flag | fpipe_flag;
    default: return fopen_flag | fdev_flag;  // a console, NUL, or a type the CRT calls a device
  }
}

}  // namespace

std::vector<BYTE> crt_inheritance_block(const std::vector<HANDLE>& handles) {
  auto count = static_cast<unsigned int>(handles.size());
  std::vector<BYTE> block(sizeof count + handles.size() * (1 + sizeof(HANDLE)));
  std::memcpy(block.data(), &count, sizeof count);
  BYTE* flags = block.data() + sizeof count;
  BYTE* slots = flags + handles.size();
  for (std::size_t i = 0; i < handles.size(); ++i) {
    flags[i] = crt_flags(handles[i]);
    std::memcpy(slots + i * sizeof(HANDLE), &handles[i], sizeof(HANDLE));
  }
  return block;
}

}  // namespace mproc::platform
