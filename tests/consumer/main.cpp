#include <mproc/mproc.hpp>

static void child(int code) { mproc::exit(code); }

int main(int argc, char** argv) {
  mproc::init(argc, argv);
  mproc::Process p(child, 5);
  p.start();
  p.join(60.0);
  return p.exitcode() == 5 ? 0 : 1;
}
