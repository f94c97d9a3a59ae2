// Lists of elements that take no bytes on the wire (Python's `[None] * n`): std::monostate and
// empty structs round-trip through a Pipe, a Queue and Pool::map, under every start method,
// while a hostile length of them is still refused before anything is allocated.
#include <algorithm>
#include <cstdint>
#include <cstring>
#include <string>
#include <variant>
#include <vector>

#include "support.hpp"

namespace {

struct Nothing {
  template <class A>
  void serialize(A&) {}
  bool operator==(const Nothing&) const = default;
};

void echo_empties(mproc::Connection conn) {
  conn.send(conn.recv<std::vector<std::monostate>>());
  conn.send(conn.recv<std::vector<Nothing>>());
}

int one(std::monostate) { return 1; }

}  // namespace

TEST_CASE("empty_elements_vector_round_trips_through_a_pipe_and_a_child", "[pipe][serialization]") {
  auto [a, b] = mproc::Pipe();
  mproc::Process p(echo_empties, b);
  p.start();
  b.close();
  a.send(std::vector<std::monostate>(3));
  a.send(std::vector<Nothing>(1000000));
  CHECK(a.recv<std::vector<std::monostate>>().size() == 3);
  CHECK(a.recv<std::vector<Nothing>>().size() == 1000000);
  test::join_or_fail(p);
  CHECK(p.exitcode() == 0);
}

TEST_CASE("empty_elements_pool_map_over_a_list_of_none", "[pool][serialization]") {
  mproc::Pool pool(2);
  std::vector<int> ones = pool.map(one, std::vector<std::monostate>(100000));
  CHECK(ones.size() == 100000);
  CHECK(std::count(ones.begin(), ones.end(), 1) == 100000);
  mproc::Queue<std::vector<std::monostate>> q;
  q.put(std::vector<std::monostate>(7));
  CHECK(q.get().size() == 7);
}

TEST_CASE("empty_elements_hostile_length_is_refused", "[serialization]") {
  // A length one above the limit, and the largest length there is: both refused at once, with
  // nothing allocated (this test would run out of memory otherwise).
  for (std::uint64_t length : {mproc::wire::max_empty_elements + 1, ~std::uint64_t{0}}) {
    std::string bytes(sizeof length, '\0');
    std::memcpy(bytes.data(), &length, sizeof length);
    std::vector<std::monostate> out;
    CHECK_THROWS_WITH(mproc::wire::load(bytes, out), Catch::Contains("empty elements is longer than the limit"));
  }
  // A length within the limit decodes; the same length of non-empty elements is refused.
  std::uint64_t length = 1000;
  std::string bytes(sizeof length, '\0');
  std::memcpy(bytes.data(), &length, sizeof length);
  std::vector<std::monostate> fine;
  mproc::wire::load(bytes, fine);
  CHECK(fine.size() == 1000);
  std::vector<int> ints;
  CHECK_THROWS_AS(mproc::wire::load(bytes, ints), mproc::SerializationError);
}
