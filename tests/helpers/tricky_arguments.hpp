#pragma once
// Arguments that a command line must quote just right (Windows' MSVCRT rules): spaces, quotes,
// backslashes before a quote and at the end, an empty one, and non-ASCII characters.
#include <string>
#include <vector>

namespace test {

inline std::vector<std::string> tricky_arguments() {
  return {"plain", "two words", "", "a\"quote", "back\\slash", "trailing\\", "ends in \\\\",
          "\\\"both\\\"", "tab\there", "Yusuf KOÇ 数据 é", "--mproc-child"};
}

}  // namespace test
