#pragma once
// A job for a manager's Pool as a client sends it: the trampoline and the target named by
// module-relative address (the server is a copy of the same program), and the encoded chunks.
#include <string>
#include <vector>

#include "pool/pool_wire.hpp"

namespace mproc::detail {

struct PoolJobRequest {
  CodeRef trampoline;
  CodeRef target;
  std::vector<std::string> chunks;  ///< apply: one, the argument tuple; map: one per chunk
  bool is_map = false;

  template <class A>
  void serialize(A& a) {
    a(trampoline, target, chunks, is_map);
  }
};

}  // namespace mproc::detail
